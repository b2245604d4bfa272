import {
  Client,
  GraphError,
  PageCollection,
  PageIterator,
  ResponseType,
} from '@microsoft/microsoft-graph-client';
import { newOperation } from './support/operation-factory';
import { ListeningHttpsApp, startListening, startListeningOverHttps } from './support/test-app';

/**
 * The official Microsoft Graph JS SDK, unchanged, against the service over HTTPS: it attaches the
 * token (from its authProvider) only to https URLs of Graph's hosts or of `customHosts`, so over
 * http every call would be 401. The certificate is `npm run dev-cert`'s kind; where a user sets
 * NODE_EXTRA_CA_CERTS, this process (already running) trusts it through fetchOptions instead.
 */
describe('Microsoft Graph JS SDK over HTTPS', () => {
  let server: ListeningHttpsApp;
  let client: Client;

  beforeAll(async () => {
    server = await startListeningOverHttps();
    expect(server.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    client = Client.initWithMiddleware({
      baseUrl: server.baseUrl,
      defaultVersion: 'beta',
      customHosts: new Set(['127.0.0.1']),
      authProvider: { getAccessToken: async () => server.token },
      fetchOptions: { dispatcher: server.trusting } as RequestInit,
    });
  });
  afterAll(() => server.close());

  it('creates, reads by key, selects, patches and deletes, with https links', async () => {
    const raw: Response = await client
      .api('/managedTenantOperations')
      .responseType(ResponseType.RAW)
      .post(newOperation({ name: 'over https', status: 'sdk-https' }));
    expect(raw.status).toBe(201);
    const created = (await raw.json()) as { id: string; '@odata.context': string };
    expect(raw.headers.get('location')).toBe(
      `${server.baseUrl}/beta/managedTenantOperations('${created.id}')`,
    );
    expect(created['@odata.context']).toBe(
      `${server.baseUrl}/beta/$metadata#managedTenantOperations/$entity`,
    );

    const read = await client.api(`/managedTenantOperations/${created.id}`).get();
    expect(read).toMatchObject({ id: created.id, name: 'over https' });
    const selected = await client
      .api(`/managedTenantOperations/${created.id}`)
      .select(['id', 'name'])
      .get();
    expect(Object.keys(selected).filter((key) => !key.startsWith('@'))).toEqual(['id', 'name']);

    const patched = await client
      .api(`/managedTenantOperations/${created.id}`)
      .header('Prefer', 'return=representation')
      .patch({ description: 'patched through the SDK' });
    expect(patched.description).toBe('patched through the SDK');

    await client.api(`/managedTenantOperations/${created.id}`).delete();
    await expect(client.api(`/managedTenantOperations/${created.id}`).get()).rejects.toMatchObject({
      statusCode: 404,
      code: 'itemNotFound',
    });
  });

  it('queries a collection with filter, select, orderby, top and count, and counts with $count', async () => {
    for (let i = 0; i < 5; i += 1) {
      await client
        .api('/managedTenantOperations')
        .post(newOperation({ name: `query ${i}`, status: 'sdk-query' }));
    }
    const page = await client
      .api('/managedTenantOperations')
      .filter("status eq 'sdk-query'")
      .select(['id', 'name'])
      .orderby('name desc')
      .top(3)
      .count(true)
      .get();
    expect(page['@odata.count']).toBe(5);
    expect(page.value.map((row: { name: string }) => row.name)).toEqual([
      'query 4',
      'query 3',
      'query 2',
    ]);
    expect(page['@odata.context']).toMatch(/^https:\/\//);
    const count = await client
      .api('/managedTenantOperations/$count')
      .filter("status eq 'sdk-query'")
      .get();
    expect(Number(count)).toBe(5);
  });

  it('walks several pages with PageIterator', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `page ${String(i).padStart(2, '0')}`);
    for (const name of names) {
      await client
        .api('/managedTenantOperations')
        .post(newOperation({ name, status: 'sdk-pages' }));
    }
    const first: PageCollection = await client
      .api('/managedTenantOperations')
      .filter("status eq 'sdk-pages'")
      .orderby('name')
      .header('Prefer', 'odata.maxpagesize=3')
      .get();
    expect(first['@odata.nextLink']).toBeDefined();
    const seen: string[] = [];
    const iterator = new PageIterator(
      client,
      first,
      (row: { name: string }) => {
        seen.push(row.name);
        return true;
      },
      { headers: { Prefer: 'odata.maxpagesize=3' } },
    );
    await iterator.iterate();
    expect(seen).toEqual(names);
    expect(iterator.isComplete()).toBe(true);
  });

  it('walks a delta query with PageIterator, then follows its deltaLink to the changes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      ids.push((await client.api('/managedTenantOperations').post(newOperation())).id);
    }
    const first: PageCollection = await client
      .api('/managedTenantOperations/delta')
      .select(['id', 'name'])
      .header('Prefer', 'odata.maxpagesize=3')
      .get();
    expect(first['@odata.nextLink']).toContain('$skiptoken=');
    const seen: string[] = [];
    const iterator = new PageIterator(
      client,
      first,
      (row: { id: string }) => {
        seen.push(row.id);
        return true;
      },
      { headers: { Prefer: 'odata.maxpagesize=3' } },
    );
    await iterator.iterate();
    expect(iterator.isComplete()).toBe(true);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
    const deltaLink = iterator.getDeltaLink()!;
    expect(deltaLink).toContain('$deltatoken=');

    await client.api(`/managedTenantOperations/${ids[0]}`).patch({ name: 'changed via SDK' });
    await client.api(`/managedTenantOperations/${ids[1]}`).delete();
    const changes = await client.api(deltaLink).get();
    expect(changes.value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ids[0], name: 'changed via SDK' }),
        { id: ids[1], '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(changes.value).toHaveLength(2);
    expect(changes['@odata.deltaLink']).toContain('$deltatoken=');
  });

  it('raises GraphErrors with the status and code for a 404 and a 400', async () => {
    const missing = await client
      .api('/managedTenantOperations/00000000-0000-0000-0000-000000000000')
      .get()
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(GraphError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'itemNotFound' });
    const invalid = await client
      .api('/managedTenantOperations')
      .post({ name: 'no target' })
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(GraphError);
    expect(invalid).toMatchObject({ statusCode: 400, code: 'invalidRequest' });
    expect((invalid as GraphError).message).toMatch(/'target' is required/);
  });

  it('is 401 over plain http, where the SDK strips the token (why HTTPS is needed)', async () => {
    const plain = await startListening();
    try {
      const overHttp = Client.initWithMiddleware({
        baseUrl: plain.baseUrl,
        defaultVersion: 'beta',
        customHosts: new Set(['127.0.0.1']),
        authProvider: { getAccessToken: async () => plain.token },
      });
      await expect(overHttp.api('/managedTenantOperations').get()).rejects.toMatchObject({
        statusCode: 401,
      });
    } finally {
      await plain.close();
    }
  });
});
