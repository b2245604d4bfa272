import { DataSource } from 'typeorm';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  httpRequestsOf,
  resultsOf,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { newRecord, RESULTS } from './support/record-factory';
import { TestApp } from './support/test-app';

describe('migrations', () => {
  it('build exactly the schema the entity schema describes (nothing left for migration:generate)', async () => {
    const app = await TestApp.start();
    try {
      const pending = await app.app.get(DataSource).driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await app.dispose();
    }
  });

  describe('run numbers on the rows written before them', () => {
    let simulator: RunningSimulator;
    let app: TestApp | undefined;

    beforeAll(async () => {
      simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    });
    afterAll(async () => {
      await app?.dispose();
      await simulator?.close();
    });

    it('give each row its run where the run queue knows it, 1 otherwise, and feed no change', async () => {
      app = await TestApp.start(engineEnv(simulator));
      const [a, b] = simulator.customerTenantIds;
      simulator.faultsOf(b).forbidden = true;
      const id = await createOperation(app, runnableOperation('GET /v1.0/organization', [a, b]));
      expect((await runOperation(app, id, 30)).json().status).toBe('failed');
      simulator.faultsOf(b).forbidden = false;
      expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
      const posted = await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) });
      expect(posted.statusCode).toBe(201);
      expect(posted.json().runNumber).toBeNull();

      const dataSource = app.app.get(DataSource);
      // Back to before the run numbers (and every migration that came after them).
      const names = dataSource.migrations.map((migration) => migration.name ?? '');
      const after = names.length - names.findIndex((name) => name.startsWith('RunNumbers'));
      expect(after).toBeGreaterThanOrEqual(6);
      for (let undone = 0; undone < after; undone += 1) await dataSource.undoLastMigration();
      const changes = async (source: DataSource) =>
        Number(
          (
            (await source.query(
              `SELECT COUNT(*) AS "count" FROM "entity_changes" WHERE "changeType" = 'updated'`,
            )) as Array<{ count: number | string }>
          )[0].count,
        );
      const updatesBefore = await changes(dataSource);
      await app.stop();
      app = await app.restartOnSameDatabase(engineEnv(simulator));

      const label = (row: Record<string, any>) =>
        `${row.runNumber} ${row.targetTenantId === a ? 'a' : row.targetTenantId === b ? 'b' : 'client'}`;
      expect((await resultsOf(app, id)).map(label).sort()).toEqual([
        '1 a',
        '1 b',
        '1 client',
        '2 b',
      ]);
      expect((await httpRequestsOf(app, id)).map(label).sort()).toEqual(['1 a', '1 b', '2 b']);
      expect(await changes(app.app.get(DataSource))).toBe(updatesBefore);

      // The history has both runs: the current one from the run queue, the first from its results.
      const runs = await app.inject({
        method: 'GET',
        url: `/beta/managedTenantOperations/${id}/runs?$select=runNumber,status,tenantScope,tenantCount,succeededTenantCount,failedTenantCount,callCount`,
      });
      expect(runs.statusCode).toBe(200);
      expect(runs.json().value).toMatchObject([
        {
          runNumber: 2,
          status: 'succeeded',
          tenantScope: 'notSucceeded',
          tenantCount: 1,
          succeededTenantCount: 1,
          failedTenantCount: 0,
          callCount: 1,
        },
        {
          runNumber: 1,
          status: 'failed',
          tenantScope: 'allTargets',
          tenantCount: 2,
          succeededTenantCount: 1,
          failedTenantCount: 1,
          callCount: 2,
        },
      ]);
    });
  });
});
