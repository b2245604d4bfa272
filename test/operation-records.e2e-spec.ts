import { randomUUID } from 'node:crypto';
import { newOperation } from './support/operation-factory';
import { OPERATION_RECORD_SETS } from './support/record-factory';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';

/**
 * The results and HTTP-request sets have everything the operations set has:
 * the same tests for both, on the set's own URL.
 */
describe.each(OPERATION_RECORD_SETS)('$name', (set) => {
  let app: TestApp;
  let operationId: string;
  const entityUrl = (id: string) => `${set.url}/${id}`;
  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: set.url, payload: body, headers });

  beforeAll(async () => {
    app = await TestApp.start();
    operationId = (await app.post(newOperation())).json().id;
  });
  afterAll(() => app.dispose());

  it('creates with 201, Location, ETag and the representation, and reads it by either key syntax', async () => {
    const body = set.body(operationId, { customNote: 'kept' });
    const created = await create(body);
    expect(created.statusCode).toBe(201);
    const entity = created.json();
    expect(entity['@odata.type']).toBe(set.type);
    expect(entity['@odata.context']).toMatch(
      new RegExp(`/beta/\\$metadata#${set.name}/\\$entity$`),
    );
    expect(created.headers.location).toBe(`http://localhost:80/beta/${set.name}('${entity.id}')`);
    expect(created.headers.etag).toBe(entity['@odata.etag']);
    expect(entity.managedTenantOperationId).toBe(operationId);
    expect(entity.customNote).toBe('kept'); // open type
    for (const url of [entityUrl(entity.id), `${set.url}('${entity.id}')`]) {
      const read = await app.get(url);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(entity);
    }
    const missing = await app.get(entityUrl(randomUUID()));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('itemNotFound');
  });

  it('is idempotent by (partnerTenantId, requestId): a retry is 200 with the same entity, another body 409', async () => {
    const body = set.body(operationId);
    const first = await create(body);
    const retry = await create(body);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);
    const other = await create({ ...body, targetTenantId: randomUUID() });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.message).toContain(body.requestId as string);
  });

  it('PATCH merges (200, or 204 with return=minimal), honours If-Match, and DELETE is 204', async () => {
    const entity = (await create(set.body(operationId))).json();
    const patched = await app.patch(entityUrl(entity.id), set.change);
    expect(patched.statusCode).toBe(200);
    for (const [name, value] of Object.entries(set.change)) {
      if (value === null || typeof value !== 'object') expect(patched.json()[name]).toEqual(value);
    }
    expect(patched.json().targetTenantId).toBe(entity.targetTenantId);
    const stale = await app.patch(entityUrl(entity.id), set.change, {
      'if-match': entity['@odata.etag'],
    });
    expect(stale.statusCode).toBe(412);
    const minimal = await app.patch(entityUrl(entity.id), set.change, {
      prefer: 'return=minimal',
      'if-match': patched.json()['@odata.etag'],
    });
    expect(minimal.statusCode).toBe(204);
    const replaced = await app.inject({
      method: 'PUT',
      url: entityUrl(entity.id),
      payload: set.body(operationId, { requestId: entity.requestId }),
    });
    expect(replaced.statusCode).toBe(200);
    expect((await app.delete(entityUrl(entity.id))).statusCode).toBe(204);
    expect((await app.get(entityUrl(entity.id))).statusCode).toBe(404);
  });

  it('validates from the model, naming the property', async () => {
    const invalid = await create(set.body(operationId, set.invalid));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain(set.invalidProperty);
    const withoutOperation = set.body(operationId);
    delete withoutOperation.managedTenantOperationId;
    const missing = await create(withoutOperation);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('managedTenantOperationId');
  });

  it("requires managedTenantOperationId to name an operation of the caller's tenant", async () => {
    const nowhere = randomUUID();
    const unknown = await create(set.body(nowhere));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain(`managedTenantOperationId '${nowhere}'`);

    const otherTenant = randomUUID();
    const otherUser = randomUUID();
    const other = `Bearer ${await app.token({ tenantId: otherTenant, userId: otherUser })}`;
    const theirs = await app.post(
      newOperation({ partnerTenantId: otherTenant, partnerUserId: otherUser }),
      { authorization: other },
    );
    expect(theirs.statusCode).toBe(201);
    const crossTenant = await create(set.body(theirs.json().id));
    expect(crossTenant.statusCode).toBe(400);
    expect(crossTenant.json().error.message).toContain(theirs.json().id);

    const entity = (await create(set.body(operationId))).json();
    const moved = await app.patch(entityUrl(entity.id), {
      managedTenantOperationId: theirs.json().id,
    });
    expect(moved.statusCode).toBe(400);
    expect((await app.get(entityUrl(entity.id))).json().managedTenantOperationId).toBe(operationId);
  });

  it("isolates tenants: another tenant neither sees nor changes the caller's rows", async () => {
    const entity = (await create(set.body(operationId))).json();
    const other = `Bearer ${await app.token({ tenantId: randomUUID(), userId: randomUUID() })}`;
    const headers = { authorization: other };
    expect((await app.get(entityUrl(entity.id), headers)).statusCode).toBe(404);
    expect((await app.patch(entityUrl(entity.id), set.change, headers)).statusCode).toBe(404);
    expect((await app.delete(entityUrl(entity.id), headers)).statusCode).toBe(404);
    expect((await app.get(set.url, headers)).json().value).toEqual([]);
    expect((await app.get(`${set.url}/$count`, headers)).body).toBe('0');
    const forged = await create(set.body(operationId), headers);
    expect(forged.statusCode).toBe(403);
  });

  it('needs the write scope to write, and the read scope to read', async () => {
    const readOnly = `Bearer ${await app.token({ scopes: ['ManagedTenants.Read.All'] })}`;
    const write = await create(set.body(operationId), { authorization: readOnly });
    expect(write.statusCode).toBe(403);
    expect((await app.get(set.url, { authorization: readOnly })).statusCode).toBe(200);
    const noScope = `Bearer ${await app.token({ scopes: ['User.Read'] })}`;
    expect((await app.get(set.url, { authorization: noScope })).statusCode).toBe(403);
  });

  it('serves the query options, keyset paging and $count', async () => {
    const operation = (await app.post(newOperation())).json().id;
    const bodies = Array.from({ length: 7 }, (_, index) =>
      set.body(operation, { note: `row ${index}` }),
    );
    const ids: string[] = [];
    for (const body of bodies) ids.push((await create(body)).json().id);
    await app.patch(entityUrl(ids[0]), set.change);
    const filter = encodeURIComponent(
      `managedTenantOperationId eq '${operation}' and ${set.filter}`,
    );
    const page1 = await app.get(`${set.url}?$filter=${filter}&$count=true&$select=id`, {
      prefer: 'odata.maxpagesize=4',
    });
    expect(page1.statusCode).toBe(200);
    expect(page1.json()['@odata.count']).toBe(6);
    expect(page1.json().value).toHaveLength(4);
    expect(Object.keys(page1.json().value[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'id']);
    const next = page1.json()['@odata.nextLink'];
    expect(next).toMatch(new RegExp(`^${set.name}\\?`));
    const page2 = await app.get(`/beta/${next}`, { prefer: 'odata.maxpagesize=4' });
    expect(page2.json().value).toHaveLength(2);
    expect(page2.json()['@odata.nextLink']).toBeUndefined();
    const seen = [...page1.json().value, ...page2.json().value].map((row: any) => row.id);
    expect(new Set(seen)).toEqual(new Set(ids.slice(1)));

    const ordered = await app.get(
      `${set.url}?$filter=${encodeURIComponent(`managedTenantOperationId eq '${operation}'`)}&$orderby=note desc&$top=2`,
    );
    expect(ordered.json().value.map((row: any) => row.note)).toEqual(['row 6', 'row 5']);
    const counted = await app.get(`${set.url}/$count?$filter=${filter}`);
    expect(counted.body).toBe('6');
  });

  it('answers with full metadata, and runs in $batch', async () => {
    const entity = (await create(set.body(operationId))).json();
    const full = await app.get(entityUrl(entity.id), {
      accept: 'application/json;odata.metadata=full',
    });
    expect(full.json()['@odata.id']).toBe(`http://localhost:80/beta/${set.name}('${entity.id}')`);
    const batch = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      payload: {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `/${set.name}`,
            headers: { 'content-type': 'application/json' },
            body: set.body(operationId),
          },
          { id: '2', method: 'GET', url: `/${set.name}/${entity.id}` },
          { id: '3', method: 'DELETE', url: `/${set.name}/${entity.id}` },
        ],
      },
    });
    expect(batch.statusCode).toBe(200);
    const statuses = Object.fromEntries(
      batch.json().responses.map((response: any) => [response.id, response.status]),
    );
    expect(statuses).toEqual({ '1': 201, '2': 200, '3': 204 });
  });
});

describe('deleting an operation', () => {
  it('deletes its results and HTTP requests, and nothing of other operations', async () => {
    const app = await TestApp.start();
    try {
      const doomed = (await app.post(newOperation())).json().id;
      const kept = (await app.post(newOperation())).json().id;
      const rows: Array<{ url: string; id: string; operation: string }> = [];
      for (const set of OPERATION_RECORD_SETS) {
        for (const operation of [doomed, kept]) {
          const created = await app.inject({
            method: 'POST',
            url: set.url,
            payload: set.body(operation),
          });
          expect(created.statusCode).toBe(201);
          rows.push({ url: set.url, id: created.json().id, operation });
        }
      }
      expect((await app.delete(`${ENTITY_SET}/${doomed}`)).statusCode).toBe(204);
      for (const row of rows) {
        const read = await app.get(`${row.url}/${row.id}`);
        expect(read.statusCode).toBe(row.operation === doomed ? 404 : 200);
      }
    } finally {
      await app.dispose();
    }
  });
});

describe('the caller records rows as itself', () => {
  it('refuses a partnerUserId that is not the caller', async () => {
    const app = await TestApp.start();
    try {
      const operation = (await app.post(newOperation())).json().id;
      const [set] = OPERATION_RECORD_SETS;
      const response = await app.inject({
        method: 'POST',
        url: set.url,
        payload: set.body(operation, { partnerUserId: randomUUID() }),
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toContain(TEST_USER);
      expect(TEST_TENANT).toBeDefined();
    } finally {
      await app.dispose();
    }
  });
});
