import { RunningSimulator, startGraphSimulator } from '../../src/graph-simulator/graph-simulator';
import { serviceApi, useCrashDatabase } from '../support/crash-database';
import { runnableOperation } from '../support/engine';
import { freePort, ServiceProcess, startServiceProcess } from '../support/processes';
import { ON_POSTGRES } from '../support/test-database';

const OPERATIONS = 30;

/**
 * `npm run test:crash` (and on PostgreSQL with TEST_DATABASE_URL): operations whose schedules
 * are due in the same second, and the process firing them killed with SIGKILL at that moment.
 * After a restart every slot has started exactly one run: a slot taken before the kill has its
 * run (the run and the schedule's move past the slot were one transaction), one not taken yet
 * runs at start as a catch-up. On PostgreSQL a second instance fires beside the one killed.
 */
describe('kill -9 while schedules fire', () => {
  jest.setTimeout(180_000);
  const database = useCrashDatabase('schedules');
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startGraphSimulator({ tenants: 3, usersPerTenant: 1, latencyMs: 20 });
  });
  afterAll(async () => {
    await simulator?.close();
  });

  const env = (port: number): NodeJS.ProcessEnv => ({
    PORT: String(port),
    ...database.env(),
    GRAPH_API_URL: simulator.url,
    ENTRA_AUTHORITY_URL: simulator.url,
    ENTRA_CLIENT_ID: 'crash-test',
    ENGINE_LEASE_SECONDS: '2',
    ENGINE_POLL_MS: '100',
    SCHEDULES_POLL_MS: '20',
  });

  it('starts exactly one run per slot across a kill at the moment of firing', async () => {
    const port = await freePort();
    const api = await serviceApi(
      env(port),
      `http://127.0.0.1:${port}/beta/managedTenantOperations`,
    );

    let service: ServiceProcess = await startServiceProcess(env(port));
    const otherPort = await freePort();
    const other = ON_POSTGRES ? await startServiceProcess(env(otherPort)) : undefined;
    try {
      const slot = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
      const schedule = {
        recurrence: {
          pattern: { type: 'daily' },
          range: { type: 'noEnd', startDate: slot.toISOString().slice(0, 10) },
        },
        timeOfDay: slot.toISOString().slice(11, 19),
      };
      const ids: string[] = [];
      for (let i = 0; i < OPERATIONS; i += 1) {
        const body = {
          ...runnableOperation('GET /v1.0/organization', [simulator.customerTenantIds[i % 3]]),
          schedule,
        };
        const created = await api('', { method: 'POST', body: JSON.stringify(body) });
        expect(created.status).toBe(201);
        ids.push(((await created.json()) as { id: string }).id);
      }
      // Killed while the slot's runs are being started.
      await new Promise((done) => setTimeout(done, slot.getTime() - Date.now() + 30));
      service.child.kill('SIGKILL');
      await service.exited;
      service = await startServiceProcess(env(port));

      const runsOf = async (id: string) =>
        ((await (await api(`/${id}/runs`)).json()) as { value: Array<Record<string, string>> })
          .value;
      for (const id of ids) {
        let runs = await runsOf(id);
        for (const deadline = Date.now() + 60_000; runs.length === 0 && Date.now() < deadline;) {
          await new Promise((done) => setTimeout(done, 100));
          runs = await runsOf(id);
        }
        expect(runs).toHaveLength(1);
        expect(runs[0].scheduledDateTime).toBe(slot.toISOString());
        expect(['schedule', 'catchUp']).toContain(runs[0].trigger);
      }
      // Nothing fires the slot a second time later.
      await new Promise((done) => setTimeout(done, 1_000));
      for (const id of ids) expect(await runsOf(id)).toHaveLength(1);
    } finally {
      service.child.kill('SIGTERM');
      other?.child.kill('SIGTERM');
      await service.exited;
      await other?.exited;
    }
  });
});
