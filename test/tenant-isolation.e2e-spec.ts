import { randomUUID } from 'node:crypto';
import { fullOperation } from './support/operation-factory';
import { ENTITY_SET, TEST_TENANT, TestApp } from './support/test-app';

/** Every endpoint, run as two partner tenants: neither can see, count, change or infer the other's rows. */
describe('tenant isolation', () => {
  let app: TestApp;
  const OTHER_TENANT = randomUUID();
  const OTHER_USER = randomUUID();
  let other: string; // Authorization header of the other tenant
  let theirs: { id: string; etag: string; requestId: string };
  let ours: { id: string };

  const asOther = (headers: Record<string, string> = {}) => ({ ...headers, authorization: other });

  beforeAll(async () => {
    app = await TestApp.start();
    other = `Bearer ${await app.token({ tenantId: OTHER_TENANT, userId: OTHER_USER })}`;
    const created = await app.post(
      fullOperation({
        partnerTenantId: OTHER_TENANT,
        partnerUserId: OTHER_USER,
        name: 'theirs secret name',
        status: 'theirs',
      }),
      asOther(),
    );
    expect(created.statusCode).toBe(201);
    theirs = {
      id: created.json().id,
      etag: created.json()['@odata.etag'],
      requestId: created.json().requestId,
    };
    ours = (await app.post(fullOperation({ name: 'ours' }))).json();
    for (let i = 0; i < 5; i += 1)
      await app.post(
        fullOperation({ partnerTenantId: OTHER_TENANT, partnerUserId: OTHER_USER }),
        asOther(),
      );
  });
  afterAll(() => app.dispose());

  it("answers another tenant's entity with 404 itemNotFound, exactly as a missing one", async () => {
    const missing = randomUUID();
    for (const [method, payload, headers] of [
      ['GET', undefined, {}],
      ['GET', undefined, { 'if-none-match': '*' }],
      ['PATCH', { status: 'hijacked' }, {}],
      ['PATCH', { status: 'hijacked' }, { 'if-match': '*' }],
      ['DELETE', undefined, {}],
    ] as const) {
      const theirResponse = await app.inject({
        method,
        url: `${ENTITY_SET}/${theirs.id}`,
        payload,
        headers,
      });
      const missingResponse = await app.inject({
        method,
        url: `${ENTITY_SET}/${missing}`,
        payload,
        headers,
      });
      expect(theirResponse.statusCode).toBe(404);
      expect(theirResponse.json().error.code).toBe(missingResponse.json().error.code);
    }
    const stillThere = await app.get(`${ENTITY_SET}/${theirs.id}`, asOther());
    expect(stillThere.statusCode).toBe(200);
    expect(stillThere.json()['@odata.etag']).toBe(theirs.etag);
  });

  it('lists, filters, searches and counts only the own tenant', async () => {
    const body = (await app.get(`${ENTITY_SET}?$count=true&$top=999`)).json();
    expect(
      body.value.every(
        (entity: { partnerTenantId: string }) => entity.partnerTenantId === TEST_TENANT,
      ),
    ).toBe(true);
    expect(body['@odata.count']).toBe(body.value.length);
    for (const query of [
      `$filter=id eq '${theirs.id}'`,
      `$filter=partnerTenantId eq ${OTHER_TENANT}`,
      "$filter=status eq 'theirs'",
      `$filter=requestId eq ${theirs.requestId}`,
      '$search="theirs secret"',
    ]) {
      const response = await app.get(`${ENTITY_SET}?${query.replace(/ /g, '%20')}&$count=true`);
      expect({
        query,
        value: response.json().value,
        count: response.json()['@odata.count'],
      }).toEqual({ query, value: [], count: 0 });
      const count = await app.get(`${ENTITY_SET}/$count?${query.replace(/ /g, '%20')}`);
      expect({ query, count: count.body }).toEqual({ query, count: '0' });
    }
    expect((await app.get(`${ENTITY_SET}/$count`, asOther())).body).toBe('6');
  });

  it("refuses another tenant's skiptoken", async () => {
    const page = (await app.get(ENTITY_SET, asOther({ prefer: 'odata.maxpagesize=2' }))).json();
    const nextLink = page['@odata.nextLink'] as string;
    expect(nextLink).toBeDefined();
    expect((await app.get(`/beta/${nextLink}`)).statusCode).toBe(400);
    expect((await app.get(`/beta/${nextLink}`, asOther())).statusCode).toBe(200);
  });

  it("cannot reach another tenant's rows through $batch", async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      payload: {
        requests: [
          { id: 'read', method: 'GET', url: `/managedTenantOperations/${theirs.id}` },
          {
            id: 'patch',
            method: 'PATCH',
            url: `/managedTenantOperations('${theirs.id}')`,
            body: { status: 'x' },
          },
          { id: 'delete', method: 'DELETE', url: `/managedTenantOperations/${theirs.id}` },
          {
            id: 'list',
            method: 'GET',
            url: `/managedTenantOperations?$filter=id eq '${theirs.id}'`,
          },
          {
            id: 'spoof',
            method: 'GET',
            url: '/managedTenantOperations',
            headers: { authorization: 'Bearer forged' },
          },
        ],
      },
    });
    const statuses = response.json().responses.map((r: { status: number }) => r.status);
    // A request with a token of its own is refused: the batch's token is the one that calls.
    expect(statuses).toEqual([404, 404, 404, 200, 400]);
    expect(response.json().responses[3].body.value).toEqual([]);
    expect((await app.get(`${ENTITY_SET}/${theirs.id}`, asOther())).json().status).toBe('theirs');
  });

  it('refuses to create for another tenant or as another user, or to move an operation out (403)', async () => {
    for (const body of [
      fullOperation({ partnerTenantId: OTHER_TENANT }),
      fullOperation({ partnerUserId: OTHER_USER }),
    ]) {
      const response = await app.post(body);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('Authorization_RequestDenied');
    }
    const moved = await app.patch(`${ENTITY_SET}/${ours.id}`, { partnerTenantId: OTHER_TENANT });
    expect(moved.statusCode).toBe(403);
    expect((await app.get(`${ENTITY_SET}/${ours.id}`)).json().partnerTenantId).toBe(TEST_TENANT);
  });

  it('keeps requestIds per tenant: the same requestId in another tenant reveals nothing', async () => {
    const reuse = await app.post(fullOperation({ requestId: theirs.requestId }));
    expect(reuse.statusCode).toBe(201);
    expect(reuse.json().id).not.toBe(theirs.id);
  });
});
