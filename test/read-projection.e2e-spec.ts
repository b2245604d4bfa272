import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Caller } from '../src/auth/caller';
import { resolve } from '../src/common/typed-token';
import { managedTenantOperation } from '../src/edm/model';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { newOperation } from './support/operation-factory';
import { newRecord, RESULTS } from './support/record-factory';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';
import { itOnSqlite } from './support/test-database';

/**
 * A read reads what its answer needs: `$select=status` of operations that target thousands of
 * tenants does not read, decode and parse their targets, and a navigation's check that its
 * operation exists reads the key alone.
 */
describe('reads with $select', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  const caller: Caller = {
    tenantId: TEST_TENANT,
    userId: TEST_USER,
    scopes: new Set(['ManagedTenants.ReadWrite.All']),
  };
  const manyTenants = () => ({
    allTenants: false,
    tenantIds: Array.from({ length: 2_000 }, () => randomUUID()),
  });

  it('read only the properties asked for, with the key, the timestamps and the tenant', async () => {
    const created = (await app.post(newOperation({ target: manyTenants(), color: 'blue' }))).json();
    const operations = resolve(app.app, entityStoreToken(managedTenantOperation));
    const status = await operations.findById(caller, created.id, undefined, {
      properties: ['status'],
      dynamicProperties: false,
    });
    expect(status).toEqual({
      id: created.id,
      createdDateTime: created.createdDateTime,
      lastModifiedDateTime: created.lastModifiedDateTime,
      properties: { partnerTenantId: TEST_TENANT, status: created.status },
      dynamicProperties: {},
    });
    const dynamic = await operations.findById(caller, created.id, undefined, {
      properties: [],
      dynamicProperties: true,
    });
    expect(dynamic?.dynamicProperties).toEqual({ color: 'blue' });
    expect(dynamic?.properties).not.toHaveProperty('target');
    // Another tenant's row stays out of reach, projected or not.
    const stranger = { ...caller, tenantId: randomUUID() };
    expect(
      await operations.findById(stranger, created.id, undefined, {
        properties: ['status'],
        dynamicProperties: false,
      }),
    ).toBeUndefined();
  });

  it('answer as a full read does, for each metadata level, a member of a complex value and a dynamic property', async () => {
    const created = (await app.post(newOperation({ target: manyTenants(), color: 'blue' }))).json();
    for (const accept of [
      'application/json',
      'application/json;odata.metadata=full',
      'application/json;odata.metadata=none',
    ]) {
      const full = (await app.get(`${ENTITY_SET}/${created.id}`, { accept })).json();
      for (const select of ['status', 'status,target', 'result/isComplete,color', 'color']) {
        const selected = await app.get(`${ENTITY_SET}/${created.id}?$select=${select}`, {
          accept,
        });
        expect(selected.statusCode).toBe(200);
        const answer = selected.json();
        for (const [name, value] of Object.entries(answer)) {
          // The context URL names the selection (checked where $select is).
          if (name === '@odata.context') continue;
          if (name === 'result')
            expect(value).toMatchObject({ isComplete: full.result.isComplete });
          else expect({ [name]: value }).toEqual({ [name]: full[name] });
        }
        for (const name of select.split(',')) expect(answer).toHaveProperty(name.split('/')[0]);
      }
    }
  });

  it('page by sort keys they do not select, as a full read pages, through every nextLink', async () => {
    const prefix = `projection-${randomUUID()}`;
    for (const [index, status] of ['b', 'a', 'c', 'a', 'b'].entries()) {
      await app.post(newOperation({ name: `${prefix}-${index}`, status, color: `c${index}` }));
    }
    const pages = async (select: string) => {
      const names: Array<Record<string, unknown>> = [];
      let url: string | undefined =
        `${ENTITY_SET}?$filter=startswith(name,'${prefix}')&$orderby=status desc,createdDateTime${select}`;
      while (url) {
        const page = await app.get(url, { prefer: 'odata.maxpagesize=2' });
        expect(page.statusCode).toBe(200);
        names.push(...page.json().value);
        const next: string | undefined = page.json()['@odata.nextLink'];
        // A nextLink is relative to the service root.
        url = next && `/beta/${next}`;
      }
      return names;
    };
    const full = await pages('');
    expect(full.map(({ name }) => name)).toEqual([2, 0, 4, 1, 3].map((i) => `${prefix}-${i}`));
    const selected = await pages('&$select=name,color');
    expect(selected).toEqual(
      full.map(({ id, name, color, ...rest }) => ({
        '@odata.type': rest['@odata.type'],
        '@odata.etag': rest['@odata.etag'],
        id,
        name,
        color,
      })),
    );
  });

  it('answer an $expand with a nested $select as a full read does: grouped by operation, ordered, cut at $top', async () => {
    const operation = (await app.post(newOperation())).json();
    const rows = Array.from({ length: 50 }, (_, index) => `{"row":${index}}`);
    for (const isSuccess of [true, false]) {
      const created = await app.inject({
        method: 'POST',
        url: RESULTS,
        payload: newRecord(operation.id, { isSuccess, result: rows, exception: null }),
      });
      expect(created.statusCode).toBe(201);
    }
    const url = `${ENTITY_SET}/${operation.id}?$select=name&$expand=results($select=isSuccess;$orderby=isSuccess)`;
    const expanded = (await app.get(url)).json();
    expect(expanded.results.map(({ isSuccess }: { isSuccess: boolean }) => isSuccess)).toEqual([
      false,
      true,
    ]);
    for (const result of expanded.results) expect(result).not.toHaveProperty('result');
    const page = await app.get(
      `${ENTITY_SET}?$filter=id eq '${operation.id}'&$select=name&$expand=results($select=result;$top=1)`,
    );
    expect(page.json().value[0].results).toEqual([expect.objectContaining({ result: rows })]);
  });

  itOnSqlite(
    'leave unselected columns unread: a target that cannot be parsed fails a full read only',
    async () => {
      const created = (await app.post(newOperation({ target: manyTenants() }))).json();
      await app.app
        .get(DataSource)
        .query(
          `UPDATE "managed_tenant_operations" SET "target" = '{not json' WHERE "id" = '${created.id}'`,
        );
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).statusCode).toBe(500);
      const selected = await app.get(`${ENTITY_SET}/${created.id}?$select=status,result`);
      expect(selected.statusCode).toBe(200);
      expect(selected.json()).toMatchObject({ id: created.id, status: created.status });
      expect(selected.headers.etag).toBe(created['@odata.etag']);
      const filter = `$filter=id eq '${created.id}'`;
      expect((await app.get(`${ENTITY_SET}?${filter}`)).statusCode).toBe(500);
      const page = await app.get(`${ENTITY_SET}?${filter}&$select=name,result/isComplete`);
      expect(page.statusCode).toBe(200);
      expect(page.json().value).toEqual([
        expect.objectContaining({ id: created.id, name: created.name }),
      ]);
      // An expanded result's rows are read only when its $select shows them.
      const record = await app.inject({
        method: 'POST',
        url: RESULTS,
        payload: newRecord(created.id, { isSuccess: true, result: ['{"id":1}'] }),
      });
      await app.app
        .get(DataSource)
        .query(
          `UPDATE "managed_tenant_operation_results" SET "result" = '[not json' WHERE "id" = '${record.json().id}'`,
        );
      const expandAll = `$expand=results`;
      expect((await app.get(`${ENTITY_SET}?${filter}&$select=name&${expandAll}`)).statusCode).toBe(
        500,
      );
      const expandSome = await app.get(
        `${ENTITY_SET}?${filter}&$select=name&$expand=results($select=isSuccess)`,
      );
      expect(expandSome.statusCode).toBe(200);
      expect(expandSome.json().value[0].results).toEqual([
        {
          '@odata.type': expect.any(String),
          '@odata.etag': record.json()['@odata.etag'],
          id: record.json().id,
          isSuccess: true,
        },
      ]);
      // A navigation checks that its operation is there by its key alone.
      const results = await app.get(`${ENTITY_SET}/${created.id}/results?$select=isSuccess`);
      expect(results.statusCode).toBe(200);
      expect(results.json().value).toEqual([
        expect.objectContaining({ id: record.json().id, isSuccess: true }),
      ]);
    },
  );
});
