import { randomUUID } from 'node:crypto';
import { Caller } from '../src/auth/caller';
import { resolve } from '../src/common/typed-token';
import { managedTenantOperation } from '../src/edm/model';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';

/** PUT replaces the whole entity (OData 4.01 Part 1 §11.4.3), as SAP's SDK sends it. */
describe('PUT /beta/managedTenantOperations/{id}', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PUT', url, payload: body as object, headers });
  const caller: Caller = {
    tenantId: TEST_TENANT,
    userId: TEST_USER,
    scopes: new Set(['ManagedTenants.ReadWrite.All']),
  };

  it("replaces every property: dynamic ones and complex members not sent are gone, the key and timestamps stay the service's", async () => {
    const created = (
      await app.post(fullOperation({ name: 'before', color: 'blue', shape: 'round' }))
    ).json();
    const replacement = newOperation({
      id: created.id,
      requestId: created.requestId,
      name: 'after',
      shape: 'square',
      createdDateTime: '2000-01-01T00:00:00Z',
      target: { allTenants: true },
      result: { isComplete: false },
    });
    const response = await put(`${ENTITY_SET}/${created.id}`, replacement);
    expect(response.statusCode).toBe(200);
    const replaced = response.json();
    expect(replaced).toMatchObject({
      id: created.id,
      name: 'after',
      shape: 'square',
      createdDateTime: created.createdDateTime,
    });
    expect(replaced.color).toBeUndefined();
    expect(replaced.target.allTenants).toBe(true);
    expect(replaced.target.tenantIds ?? []).toEqual([]);
    expect(replaced.result.exception ?? null).toBeNull();
    expect(replaced.result.tenantExceptions ?? []).toEqual([]);
    expect(Date.parse(replaced.lastModifiedDateTime)).toBeGreaterThan(
      Date.parse(created.lastModifiedDateTime),
    );
    expect(response.headers.etag).toBeDefined();
    // What a GET reads now is the replacement, not a merge.
    expect((await app.get(`${ENTITY_SET}/${created.id}`)).json()).toEqual(replaced);
  });

  it('also takes the key-predicate form, and answers 204 with Prefer: return=minimal', async () => {
    const created = (await app.post(newOperation())).json();
    const response = await put(
      `${ENTITY_SET}('${created.id}')`,
      newOperation({ requestId: created.requestId, name: 'minimal' }),
      { prefer: 'return=minimal' },
    );
    expect(response.statusCode).toBe(204);
    expect(response.headers['preference-applied']).toBe('return=minimal');
    expect((await app.get(`${ENTITY_SET}/${created.id}`)).json().name).toBe('minimal');
  });

  it('keeps a dapAccessToken that is not sent (it is never returned), and replaces one that is', async () => {
    const token = `kept-${randomUUID()}`;
    const created = (
      await app.post(fullOperation({ credentials: { dapAccessToken: token } }))
    ).json();
    const repository = resolve(app.app, entityStoreToken(managedTenantOperation));
    const sent = newOperation({ requestId: created.requestId, credentials: {} });
    expect((await put(`${ENTITY_SET}/${created.id}`, sent)).statusCode).toBe(200);
    const kept = await repository.findById(caller, created.id);
    expect(kept!.properties.credentials).toEqual({ dapAccessToken: token });

    const replacedToken = `replaced-${randomUUID()}`;
    const response = await put(
      `${ENTITY_SET}/${created.id}`,
      newOperation({
        requestId: created.requestId,
        credentials: { dapAccessToken: replacedToken },
      }),
    );
    expect(response.body).not.toContain(replacedToken);
    const replaced = await repository.findById(caller, created.id);
    expect(replaced!.properties.credentials).toEqual({ dapAccessToken: replacedToken });
  });

  it('honours If-Match: 412 on a stale ETag, applied on the current one', async () => {
    const created = await app.post(newOperation());
    const { id, requestId } = created.json();
    const etag = created.headers.etag as string;
    await app.patch(`${ENTITY_SET}/${id}`, { name: 'changed meanwhile' });
    const stale = await put(`${ENTITY_SET}/${id}`, newOperation({ requestId }), {
      'if-match': etag,
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.code).toBe('resourceModified');
    const current = (await app.get(`${ENTITY_SET}/${id}`)).headers.etag as string;
    const applied = await put(`${ENTITY_SET}/${id}`, newOperation({ requestId, name: 'fresh' }), {
      'if-match': current,
    });
    expect(applied.statusCode).toBe(200);
  });

  it('needs every required property, as a create does, and refuses a change of id', async () => {
    const { id, requestId } = (await app.post(newOperation())).json();
    const withoutName = newOperation({ requestId });
    delete withoutName.name;
    const missing = await put(`${ENTITY_SET}/${id}`, withoutName);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain("'name'");
    const otherId = await put(`${ENTITY_SET}/${id}`, newOperation({ requestId, id: randomUUID() }));
    expect(otherId.statusCode).toBe(400);
    expect(otherId.json().error.message).toMatch(/'id' cannot be changed/);
    expect((await app.get(`${ENTITY_SET}/${id}`)).json().name).not.toBeUndefined();
  });

  it("is 404 for an operation that does not exist or is another tenant's, and 403 without write permission", async () => {
    const missing = await put(`${ENTITY_SET}/${randomUUID()}`, newOperation());
    expect(missing.statusCode).toBe(404);
    const { id, requestId } = (await app.post(newOperation())).json();
    const readOnly = await app.token({ scopes: ['ManagedTenants.Read.All'] });
    const forbidden = await put(`${ENTITY_SET}/${id}`, newOperation({ requestId }), {
      authorization: `Bearer ${readOnly}`,
    });
    expect(forbidden.statusCode).toBe(403);
    const otherTenant = randomUUID();
    const stranger = await app.token({ tenantId: otherTenant });
    const hidden = await put(
      `${ENTITY_SET}/${id}`,
      newOperation({ partnerTenantId: otherTenant, requestId }),
      { authorization: `Bearer ${stranger}` },
    );
    expect(hidden.statusCode).toBe(404);
  });

  it('runs inside a $batch too', async () => {
    const { id, requestId } = (await app.post(newOperation())).json();
    const response = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      payload: {
        requests: [
          {
            id: '1',
            method: 'PUT',
            url: `/managedTenantOperations/${id}`,
            headers: { 'content-type': 'application/json' },
            body: newOperation({ requestId, name: 'batched put' }),
          },
        ],
      },
    });
    expect(response.json().responses[0].status).toBe(200);
    expect((await app.get(`${ENTITY_SET}/${id}`)).json().name).toBe('batched put');
  });
});
