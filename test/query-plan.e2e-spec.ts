import { DataSource } from 'typeorm';
import { CollectionRequestReader } from '../src/odata/query/collection-request';
import { ManagedTenantOperationsRepository } from '../src/managed-tenant-operations/managed-tenant-operations.repository';
import { newOperation } from './support/operation-factory';
import { describeOnSqlite } from './support/test-database';
import { ENTITY_SET, TEST_TENANT, TestApp } from './support/test-app';

/** The plan SQLite chooses for the SQL the repository runs for a request's query string. */
async function planFor(app: TestApp, rawQuery: string, afterLastRow = false): Promise<string> {
  const reader = app.app.get(CollectionRequestReader);
  const repository = app.app.get(ManagedTenantOperationsRepository);
  const request = reader.read(rawQuery, TEST_TENANT);
  let after: unknown[] | undefined;
  if (afterLastRow) {
    const page = await repository.findPage({ tenantId: TEST_TENANT }, request.query, undefined, 1);
    after = page[0].position;
  }
  const [sql, parameters] = repository.describePage(
    { tenantId: TEST_TENANT },
    request.query,
    after,
    51,
  );
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
