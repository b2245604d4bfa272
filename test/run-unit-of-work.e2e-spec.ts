import { DataSource } from 'typeorm';
import { RunQueueStore } from '../src/database/stores/run-queue.store';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { ON_POSTGRES } from './support/test-database';
import { ENTITY_SET, TEST_TENANT, TestApp } from './support/test-app';

/** A trigger that refuses to mark an operation running: a failure between the run's two writes. */
const REFUSE_RUNNING = ON_POSTGRES
  ? [
      `CREATE FUNCTION refuse_running() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW."status" = 'running' THEN RAISE EXCEPTION 'refused (test)'; END IF; RETURN NEW; END $$`,
      `CREATE TRIGGER refuse_running BEFORE UPDATE ON "managed_tenant_operations"
       FOR EACH ROW EXECUTE FUNCTION refuse_running()`,
    ]
  : [
      `CREATE TRIGGER refuse_running BEFORE UPDATE ON "managed_tenant_operations"
       WHEN NEW."status" = 'running' BEGIN SELECT RAISE(ABORT, 'refused (test)'); END`,
    ];
const ALLOW_RUNNING = ON_POSTGRES
  ? ['DROP TRIGGER refuse_running ON "managed_tenant_operations"', 'DROP FUNCTION refuse_running()']
  : ['DROP TRIGGER refuse_running'];

/**
 * `run` starts the run in the engine's queue and marks the operation running in one transaction:
 * when the second write fails, the first is undone with it, and the operation can be run as if
 * nothing had happened.
 */
describe('run: one unit of work', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 2 });
    app = await TestApp.start(engineEnv(simulator));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  it('a failure between starting the run and marking the operation leaves neither', async () => {
    const id = await createOperation(
      app,
      runnableOperation('GET /v1.0/users', [...simulator.customerTenantIds]),
    );
    const database = app.app.get(DataSource);
    for (const sql of REFUSE_RUNNING) await database.query(sql);
    const refused = await runOperation(app, id);
    expect(refused.statusCode).toBeGreaterThanOrEqual(500);
    expect(refused.body).not.toContain('refused (test)');
    // Neither write happened: no run in the queue, the operation as it was.
    const queue = app.app.get(RunQueueStore);
    expect(await queue.find({ partnerTenantId: TEST_TENANT, operationId: id })).toBeUndefined();
    const unchanged = await app.inject({ method: 'GET', url: `${ENTITY_SET}/${id}` });
    expect(unchanged.json<{ status: string }>().status).toBe('created');

    for (const sql of ALLOW_RUNNING) await database.query(sql);
    // Both: the same run starts now (not "running already"), as run 1.
    const started = await runOperation(app, id);
    expect(started.statusCode).toBeLessThan(300);
    const marked = await app.inject({ method: 'GET', url: `${ENTITY_SET}/${id}` });
    expect(marked.json<{ status: string }>().status).not.toBe('created');
    expect((await queue.find({ partnerTenantId: TEST_TENANT, operationId: id }))?.run).toBe(1);
  });
});
