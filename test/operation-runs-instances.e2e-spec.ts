import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  finished,
  resultsOf,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { describeOnPostgres } from './support/test-database';
import { ENTITY_SET, TestApp } from './support/test-app';

/** How many result rows each tenant has. */
async function rowsPerTenant(app: TestApp, id: string): Promise<number[]> {
  const counts = new Map<string, number>();
  for (const result of await resultsOf(app, id)) {
    counts.set(result.targetTenantId, (counts.get(result.targetTenantId) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('the engine under load and shutdown', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 20 });
  });
  afterEach(() => simulator.setLatency(0));
  afterAll(() => simulator?.close());

  it("shares the instance's calls fairly: a small operation is not starved by a big one", async () => {
    const app = await TestApp.start(engineEnv(simulator, { ENGINE_CONCURRENCY: '2' }));
    try {
      simulator.setLatency(150);
      const big = await createOperation(
        app,
        runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
      );
      expect((await runOperation(app, big)).statusCode).toBe(202);
      const small = await createOperation(
        app,
        runnableOperation('GET /v1.0/organization', simulator.customerTenantIds.slice(0, 1)),
      );
      const waited = await runOperation(app, small, 10);
      expect(waited.statusCode).toBe(200);
      expect(waited.json().status).toBe('succeeded');
      // Twenty tenants two at a time take 1.5 s; the small one got a slot long before.
      expect((await app.get(`${ENTITY_SET}/${big}`)).json().status).toBe('running');
      expect(simulator.peakInFlight()).toBeLessThanOrEqual(2);
      expect((await finished(app, big)).status).toBe('succeeded');
    } finally {
      await app.dispose();
    }
  });

  it('on shutdown gives back the tenants in flight, and the next start finishes the run', async () => {
    const env = engineEnv(simulator, { ENGINE_CONCURRENCY: '2', SHUTDOWN_TIMEOUT_MS: '400' });
    const first = await TestApp.start(env);
    let second: TestApp | undefined;
    try {
      simulator.setLatency(1_000);
      const id = await createOperation(
        first,
        runnableOperation('GET /v1.0/organization', simulator.customerTenantIds.slice(0, 6)),
      );
      expect((await runOperation(first, id)).statusCode).toBe(202);
      await new Promise((done) => setTimeout(done, 100));
      // Calls of a second each do not finish within the 200 ms grace: they are given back.
      await first.stop();
      simulator.setLatency(0);
      second = await first.restartOnSameDatabase(env);
      const operation = await finished(second, id);
      expect(operation.status).toBe('succeeded');
      expect(await rowsPerTenant(second, id)).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      await (second ?? first).dispose();
    }
  });
});

describeOnPostgres('two instances on one PostgreSQL', () => {
  it('work the same run, each tenant once', async () => {
    const simulator = await startSimulator({ tenants: 12, latencyMs: 200 });
    const env = engineEnv(simulator, { ENGINE_CONCURRENCY: '2' });
    const first = await TestApp.start(env);
    const second = await first.restartOnSameDatabase(env);
    try {
      const id = await createOperation(
        first,
        runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
      );
      expect((await runOperation(first, id)).statusCode).toBe(202);
      const operation = await finished(second, id);
      expect(operation.status).toBe('succeeded');
      expect(operation.result.result).toHaveLength(12);
      // Two calls in flight per instance: four at once means both worked on it.
      expect(simulator.peakInFlight()).toBe(4);
      expect(await rowsPerTenant(first, id)).toEqual(Array(12).fill(1));
    } finally {
      await second.stop();
      await first.dispose();
      await simulator.close();
    }
  });
});
