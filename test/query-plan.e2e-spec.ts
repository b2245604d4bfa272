import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CollectionRequestReader } from '../src/odata/query/collection-request';
import { EntityStore } from '../src/database/stores/entity.store';
import { SqlExecutor } from '../src/database/sql-executor';
import { managedTenantOperation, managedTenantOperationResult, tenant } from '../src/edm/model';
import { collectionReaderToken, entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { syntheticOperation } from '../bench/synthetic-operations';
import { newOperation } from './support/operation-factory';
import { describeOnPostgres, describeOnSqlite } from './support/test-database';
import { ENTITY_SET, TEST_TENANT, TestApp } from './support/test-app';

/** The SQL and parameters the repository runs for a request's query string (a later page, if asked). */
async function pageSql(
  app: TestApp,
  rawQuery: string,
  afterLastRow: boolean,
): Promise<[string, unknown[]]> {
  const reader = app.app.get<CollectionRequestReader>(
    collectionReaderToken(managedTenantOperation),
  );
  const repository = app.app.get<EntityStore>(entityStoreToken(managedTenantOperation));
  const request = reader.read(rawQuery, TEST_TENANT);
  let after: unknown[] | undefined;
  if (afterLastRow) {
    const page = await repository.findPage({ tenantId: TEST_TENANT }, request.query, undefined, 1);
    after = page[0].position;
  }
  return repository.describePage({ tenantId: TEST_TENANT }, request.query, after, 51);
}

/** The plan SQLite chooses for the SQL the repository runs for a request's query string. */
async function planFor(app: TestApp, rawQuery: string, afterLastRow = false): Promise<string> {
  const [sql, parameters] = await pageSql(app, rawQuery, afterLastRow);
  const plan = (await app.app
    .get(DataSource)
    .query(`EXPLAIN QUERY PLAN ${sql}`, parameters)) as Array<{
    detail: string;
  }>;
  if (process.env.SHOW_SQL) console.log(sql, parameters, plan);
  return plan.map((step) => step.detail).join('\n');
}

describeOnSqlite('indexes for the common queries', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
    for (let i = 0; i < 30; i += 1) {
      await app.post(newOperation({ status: i % 3 === 0 ? 'running' : 'succeeded' }));
    }
    await app.app.get(DataSource).query('ANALYZE');
  });
  afterAll(() => app.dispose());

  it("uses an index for $filter=status eq '…' with $orderby=createdDateTime desc, without a sort step", async () => {
    const plan = await planFor(
      app,
      "$filter=status%20eq%20'running'&$orderby=createdDateTime%20desc&$top=50",
    );
    expect(plan).toMatch(/USING (COVERING )?INDEX IDX_mto_partnerTenantId_status_createdDateTime/);
    expect(plan).not.toMatch(/SCAN o\b(?! USING)/);
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('seeks the index for a skiptoken page in the default order', async () => {
    const plan = await planFor(app, '', true);
    expect(plan).toMatch(/SEARCH o USING INDEX IDX_mto_(partnerTenantId_)?createdDateTime/);
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('seeks the status index for a skiptoken page of a status filter', async () => {
    const plan = await planFor(app, "$filter=status%20eq%20'running'", true);
    // SQLite picks by its statistics (one tenant here): either index seeks the position.
    expect(plan).toMatch(/SEARCH o USING INDEX IDX_mto_(partnerTenantId_)?status_createdDateTime/);
  });

  it('uses an index for partnerTenantId and requestId filters', async () => {
    const body = (await app.get(`${ENTITY_SET}?$top=1`)).json().value[0];
    expect(await planFor(app, `$filter=partnerTenantId%20eq%20${body.partnerTenantId}`)).toMatch(
      /USING INDEX IDX_mto_partnerTenantId_createdDateTime/,
    );
    expect(await planFor(app, `$filter=requestId%20eq%20${body.requestId}`)).toMatch(
      // Every query is scoped by tenant, so the unique (partnerTenantId, requestId) index serves it.
      /USING (COVERING )?INDEX (UQ_mto_partnerTenantId_requestId|IDX_mto_requestId)/,
    );
  });
});

/**
 * The plan PostgreSQL chooses, with sequential scans priced out: a table of a few rows would
 * otherwise always be scanned, and the question is whether an index *can* answer the query.
 */
function randomTenant(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

async function postgresPlanFor(app: TestApp, rawQuery: string, afterLastRow = false) {
  const [sql, parameters] = await pageSql(app, rawQuery, afterLastRow);
  const runner = app.app.get(DataSource).createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL enable_seqscan = off');
    const plan = (await runner.query(`EXPLAIN ${sql}`, parameters)) as Array<{
      'QUERY PLAN': string;
    }>;
    await runner.rollbackTransaction();
    if (process.env.SHOW_SQL) console.log(sql, parameters, plan);
    return plan.map((step) => step['QUERY PLAN']).join('\n');
  } finally {
    await runner.release();
  }
}

describeOnPostgres('indexes for the common queries, on PostgreSQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
    // 20 tenants of 300 operations: enough for the planner to tell the indexes apart.
    const start = Date.UTC(2026, 0, 1);
    const operations = Array.from({ length: 6000 }, (_, i) => {
      const operation = syntheticOperation(i, start);
      const tenant = i % 20 === 0 ? TEST_TENANT : randomTenant(i % 20);
      Object.assign(operation.properties, {
        partnerTenantId: tenant,
        status: i % 7 === 0 ? 'running' : 'succeeded',
      });
      return operation;
    });
    await app.app.get<EntityStore>(entityStoreToken(managedTenantOperation)).insertMany(operations);
    await app.app.get(DataSource).query('ANALYZE');
  });
  afterAll(() => app.dispose());

  it.each([
    [
      "$filter=status eq 'running' ordered by createdDateTime desc",
      "$filter=status%20eq%20'running'&$orderby=createdDateTime%20desc&$top=50",
      'IDX_mto_partnerTenantId_status_createdDateTime',
    ],
    ['the default order', '', 'IDX_mto_partnerTenantId_createdDateTime'],
    [
      'result/isSuccess (an expression index)',
      '$filter=result/isSuccess',
      'IDX_mto_partnerTenantId_result_isSuccess',
    ],
    [
      'operationDefinition/logLevel (an expression index)',
      "$filter=operationDefinition/logLevel%20eq%20'full'",
      'IDX_mto_partnerTenantId_logLevel',
    ],
    [
      'target/tenantIds/any(t: t eq …) (the GIN index, through @>)',
      '$filter=target/tenantIds/any(t:t%20eq%205c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d)',
      'IDX_mto_target',
    ],
  ])('answers %s from an index', async (_name, query, index) => {
    expect(await postgresPlanFor(app, query)).toContain(index);
  });

  it('seeks the default-order index for a skiptoken page, without a sort', async () => {
    const plan = await postgresPlanFor(app, '', true);
    expect(plan).toContain('IDX_mto_partnerTenantId_createdDateTime');
    expect(plan).not.toMatch(/^\s*Sort\b|->\s+Sort\b/m);
  });
});

describeOnSqlite('reads by a list of keys, before SQLite has statistics', () => {
  /** The plans of the statements `read` runs on the storage executor. */
  async function plansOf(app: TestApp, read: () => Promise<unknown>): Promise<string[]> {
    const db = app.app.get(SqlExecutor);
    const statements: Array<[string, readonly unknown[]]> = [];
    const original = db.all.bind(db);
    db.all = (sql, parameters) => {
      statements.push([sql, parameters ?? []]);
      return original(sql, parameters);
    };
    try {
      await read();
    } finally {
      delete (db as unknown as Record<string, unknown>).all;
    }
    const plans: string[] = [];
    for (const [sql, parameters] of statements) {
      const plan = (await app.app
        .get(DataSource)
        .query(`EXPLAIN QUERY PLAN ${sql}`, [...parameters])) as Array<{ detail: string }>;
      plans.push(plan.map((step) => step.detail).join('\n'));
    }
    return plans;
  }

  it("looks each key up by the primary key instead of walking the tenant's rows", async () => {
    const app = await TestApp.start();
    try {
      // As many as a page of a run's results is read by.
      const ids = Array.from({ length: 25 }, () => randomUUID());
      const results = app.app.get<EntityStore>(entityStoreToken(managedTenantOperationResult));
      expect(await plansOf(app, () => results.findByIds({ tenantId: TEST_TENANT }, ids))).toEqual([
        expect.stringMatching(
          /^SEARCH o USING INDEX sqlite_autoindex_managed_tenant_operation_results_1 \(id=\?\)$/,
        ),
      ]);
      // A key unique within its tenant only: the primary key starts with the tenant.
      const tenants = app.app.get<EntityStore>(entityStoreToken(tenant));
      expect(await plansOf(app, () => tenants.findByIds({ tenantId: TEST_TENANT }, ids))).toEqual([
        expect.stringMatching(
          /^SEARCH o USING INDEX sqlite_autoindex_tenants_1 \(partnerTenantId=\? AND id=\?\)$/,
        ),
      ]);
    } finally {
      await app.dispose();
    }
  });
});
