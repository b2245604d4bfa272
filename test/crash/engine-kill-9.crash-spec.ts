import { RunningSimulator, startGraphSimulator } from '../../src/graph-simulator/graph-simulator';
import { serviceApi, useCrashDatabase } from '../support/crash-database';
import { runnableOperation } from '../support/engine';
import { freePort, ServiceProcess, startServiceProcess } from '../support/processes';
import { ON_POSTGRES } from '../support/test-database';

const TENANTS = 40;
/** Each tenant reads 25 users 5 at a time: 5 calls of LATENCY_MS each. */
const LATENCY_MS = 100;

/**
 * `npm run test:crash` (and on PostgreSQL with TEST_DATABASE_URL): a run that got its 202 is
 * finished even when the process working on it is killed with SIGKILL at a random moment, more
 * than once, without anyone calling `run` again; every tenant ends with exactly one result row.
 * On PostgreSQL a second instance shares the run and takes over the dead one's tenants when
 * their leases run out.
 */
describe('kill -9 during a run', () => {
  jest.setTimeout(300_000);
  const database = useCrashDatabase('engine');
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startGraphSimulator({ tenants: TENANTS, latencyMs: LATENCY_MS });
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
    ENGINE_CONCURRENCY: '4',
    ENGINE_LEASE_SECONDS: '2',
    ENGINE_POLL_MS: '100',
    ENGINE_RETRY_BASE_MS: '50',
  });

  it('finishes every tenant exactly once across random kills', async () => {
    const port = await freePort();
    const api = await serviceApi(
      env(port),
      `http://127.0.0.1:${port}/beta/managedTenantOperations`,
    );

    let service: ServiceProcess = await startServiceProcess(env(port));
    // On PostgreSQL a second instance works the same queue from the start.
    const otherPort = await freePort();
    const other = ON_POSTGRES ? await startServiceProcess(env(otherPort)) : undefined;
    try {
      const body = runnableOperation('GET /v1.0/users?$top=5', simulator.customerTenantIds);
      const created = await api('', { method: 'POST', body: JSON.stringify(body) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect((await api(`/${id}/run`, { method: 'POST' })).status).toBe(202);

      const callsAtKill: number[] = [];
      for (let kill = 0; kill < 2; kill += 1) {
        await new Promise((done) => setTimeout(done, 300 + Math.random() * 700));
        service.child.kill('SIGKILL');
        callsAtKill.push(simulator.calls.length);
        await service.exited;
        service = await startServiceProcess(env(port));
      }

      let operation:
        { status: string; result: { isComplete: boolean; result: string[] } } | undefined;
      for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
        operation = (await (await api(`/${id}`)).json()) as typeof operation;
        if (operation!.result?.isComplete) break;
        await new Promise((done) => setTimeout(done, 200));
      }
      // The first kill came in the middle of the run (not every call had been made).
      expect(callsAtKill[0]).toBeGreaterThan(0);
      expect(callsAtKill[0]).toBeLessThan(TENANTS * 5);
      expect(operation).toMatchObject({ status: 'succeeded', result: { isComplete: true } });
      expect(operation!.result.result).toHaveLength(TENANTS * 25);
      const results = (await (
        await api(`/${id}/results?$top=999&$select=targetTenantId`)
      ).json()) as {
        value: Array<{ targetTenantId: string }>;
      };
      const perTenant = new Map<string, number>();
      for (const { targetTenantId } of results.value) {
        perTenant.set(targetTenantId, (perTenant.get(targetTenantId) ?? 0) + 1);
      }
      expect(perTenant.size).toBe(TENANTS);
      expect([...perTenant.values()].every((count) => count === 1)).toBe(true);
    } finally {
      service.child.kill('SIGTERM');
      other?.child.kill('SIGTERM');
      await service.exited;
      await other?.exited;
    }
  });
});
