import { randomUUID } from 'node:crypto';
import { fullOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('idempotent create by (partnerTenantId, requestId)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  const count = async () => Number((await app.get(`${ENTITY_SET}/$count`)).body);

  it('answers a retry with an identical body with 200, the original entity and Location, creating nothing', async () => {
    const body = fullOperation({ ticket: 'T-1' });
    const first = await app.post(body);
    expect(first.statusCode).toBe(201);
    const before = await count();
    const retry = await app.post(JSON.parse(JSON.stringify(body)));
    expect(retry.statusCode).toBe(200);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.json()).toEqual(first.json());
    expect(await count()).toBe(before);
  });

  it('treats the same body with its keys in another order as identical', async () => {
    const body = fullOperation();
    expect((await app.post(body)).statusCode).toBe(201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await app.post(reordered)).statusCode).toBe(200);
  });

  it('answers the same requestId with a different body with 409 requestIdConflict naming the entity', async () => {
    const body = fullOperation();
    const first = (await app.post(body)).json();
    const before = await count();
    const other = await app.post({ ...body, name: 'something else' });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('requestIdConflict');
    expect(other.json().error.message).toContain(first.id);
    expect(await count()).toBe(before);
  });

  it('lets another partner tenant use the same requestId', async () => {
    const body = fullOperation();
    expect((await app.post(body)).statusCode).toBe(201);
    const otherTenant = randomUUID();
    const otherUser = randomUUID();
    const token = await app.token({ tenantId: otherTenant, userId: otherUser });
    const other = await app.post(
      { ...body, partnerTenantId: otherTenant, partnerUserId: otherUser },
      { authorization: `Bearer ${token}` },
    );
    expect(other.statusCode).toBe(201);
  });

  it('creates exactly one entity from many parallel POSTs with the same requestId', async () => {
    for (let round = 0; round < 5; round += 1) {
      const body = fullOperation();
      const responses = await Promise.all(Array.from({ length: 12 }, () => app.post(body)));
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(11);
      const ids = new Set(responses.map((response) => response.json().id));
      expect(ids.size).toBe(1);
      const filter = encodeURIComponent(`requestId eq ${body.requestId as string}`);
      expect((await app.get(`${ENTITY_SET}/$count?$filter=${filter}`)).body).toBe('1');
    }
  });

  it('still rejects a new requestId that reuses an existing id with 409 conflict', async () => {
    const id = randomUUID();
    expect((await app.post(fullOperation({ id }))).statusCode).toBe(201);
    const clash = await app.post(fullOperation({ id }));
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('conflict');
  });
});
