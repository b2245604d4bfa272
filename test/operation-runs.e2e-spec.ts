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
import { ENTITY_SET, TestApp } from './support/test-app';

describe('running an operation', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator();
    app = await TestApp.start(engineEnv(simulator));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  it('runs the statements in every target tenant and aggregates their rows with _TenantId', async () => {
    const tenants = simulator.customerTenantIds.slice(0, 3);
    const id = await createOperation(app, runnableOperation('GET /v1.0/users?$top=5', tenants));
    const started = await runOperation(app, id);
    expect(started.statusCode).toBe(202);
    expect(started.headers.location).toMatch(new RegExp(`${ENTITY_SET}\\('${id}'\\)$`));
    expect(started.headers['retry-after']).toBe('1');
    const operation = await finished(app, id);
    expect(operation.status).toBe('succeeded');
    expect(operation.result.isSuccess).toBe(true);
    // 25 users each, 5 a page: every page followed.
    expect(operation.result.result).toHaveLength(75);
    const rows = operation.result.result.map((row: string) => JSON.parse(row));
    expect(new Set(rows.map((row: { _TenantId: string }) => row._TenantId))).toEqual(
      new Set(tenants),
    );
    const results = await resultsOf(app, id);
    expect(results.map((r) => r.targetTenantId).sort()).toEqual([...tenants].sort());
    expect(results.every((r) => r.isSuccess === true && r.result.length === 25)).toBe(true);
  });
});
