import { randomUUID } from 'node:crypto';
import { multipartBatch } from './support/multipart';
import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('POST /beta/$batch', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  const batch = (requests: unknown[], headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/beta/$batch', payload: { requests }, headers });
  const count = async () => Number((await app.get(`${ENTITY_SET}/$count`)).body);

  it('runs each request through the whole stack and answers {responses:[{id,status,headers,body}]}', async () => {
    const existing = (await app.post(newOperation())).json();
    const response = await batch(
      [
        {
          id: 'create',
          method: 'POST',
          url: '/managedTenantOperations',
          body: fullOperation(),
          headers: { 'content-type': 'application/json' },
        },
        {
          id: 'read',
          method: 'GET',
          url: `/managedTenantOperations('${existing.id}')?$select=name`,
        },
        {
          id: 'update',
          method: 'PATCH',
          url: `managedTenantOperations/${existing.id}`,
          body: { status: 'batched' },
        },
        {
          id: 'count',
          method: 'GET',
          url: "/managedTenantOperations/$count?$filter=status eq 'batched'",
        },
        { id: 'invalid', method: 'POST', url: '/managedTenantOperations', body: { status: 1 } },
        { id: 'missing', method: 'DELETE', url: `/managedTenantOperations/${randomUUID()}` },
      ],
      { host: 'b.test', 'client-request-id': 'outer-1' },
    );
    expect(response.statusCode).toBe(200);
    const { responses } = response.json();
    expect(responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      ['create', 201],
      ['read', 200],
      ['update', 200],
      ['count', 200],
      ['invalid', 400],
      ['missing', 404],
    ]);
    const [create, read, update, counted, invalid] = responses;
    expect(create.headers.location).toMatch(/^http:\/\/b\.test\/beta\/managedTenantOperations\('/);
    expect(create.headers.etag).toBe(create.body['@odata.etag']);
    expect(read.body.name).toBe(existing.name);
    expect(update.body.status).toBe('batched');
    expect(counted.body).toBe('1');
    expect(invalid.body.error.code).toBe('invalidRequest');
    expect(invalid.body.error.innerError['client-request-id']).toBe('outer-1');
  });

  it('answers a request whose dependency failed with 424, and does not run it', async () => {
    const before = await count();
    const { responses } = (
      await batch([
        { id: 'bad', method: 'POST', url: '/managedTenantOperations', body: { nope: true } },
        {
          id: 'after',
          method: 'POST',
          url: '/managedTenantOperations',
          body: newOperation(),
          dependsOn: ['bad'],
        },
        { id: 'chained', method: 'GET', url: '/managedTenantOperations', dependsOn: ['after'] },
        { id: 'free', method: 'GET', url: '/managedTenantOperations?$top=1' },
      ])
    ).json();
    expect(responses.map((r: { status: number }) => r.status)).toEqual([400, 424, 424, 200]);
    expect(responses[1].body.error.message).toContain("depends on 'bad'");
    expect(await count()).toBe(before);
  });

  it('applies an atomicity group all together', async () => {
    const before = await count();
    const { responses } = (
      await batch([
        {
          id: 'a',
          method: 'POST',
          url: '/managedTenantOperations',
          body: newOperation(),
          atomicityGroup: 'g',
        },
        {
          id: 'b',
          method: 'POST',
          url: '/managedTenantOperations',
          body: newOperation(),
          atomicityGroup: 'g',
        },
        { id: 'c', method: 'GET', url: '/managedTenantOperations/$count', dependsOn: ['g'] },
      ])
    ).json();
    expect(responses.map((r: { status: number }) => r.status)).toEqual([201, 201, 200]);
    expect(responses[2].body).toBe(String(before + 2));
    expect(await count()).toBe(before + 2);
  });

  it('applies nothing of an atomicity group when one of its requests fails', async () => {
    const target = (await app.post(newOperation({ status: 'untouched' }))).json();
    const before = await count();
    const { responses } = (
      await batch([
        {
          id: 'create',
          method: 'POST',
          url: '/managedTenantOperations',
          body: newOperation(),
          atomicityGroup: 'g',
        },
        {
          id: 'patch',
          method: 'PATCH',
          url: `/managedTenantOperations/${target.id}`,
          body: { status: 'touched' },
          atomicityGroup: 'g',
        },
        {
          id: 'fail',
          method: 'PATCH',
          url: `/managedTenantOperations/${randomUUID()}`,
          body: { status: 'x' },
          atomicityGroup: 'g',
        },
        {
          id: 'never',
          method: 'DELETE',
          url: `/managedTenantOperations/${target.id}`,
          atomicityGroup: 'g',
        },
        { id: 'dependent', method: 'GET', url: '/managedTenantOperations', dependsOn: ['g'] },
      ])
    ).json();
    expect(responses.map((r: { status: number }) => r.status)).toEqual([424, 424, 404, 424, 424]);
    expect(await count()).toBe(before);
    const after = (await app.get(`${ENTITY_SET}/${target.id}`)).json();
    expect(after.status).toBe('untouched');
    expect(after['@odata.etag']).toBe(target['@odata.etag']);
  });

  it('keeps writes from outside a group while the group runs, and loses none of them', async () => {
    const before = await count();
    const outside = Array.from({ length: 10 }, () => app.post(newOperation()));
    const group = batch([
      {
        id: 'a',
        method: 'POST',
        url: '/managedTenantOperations',
        body: newOperation(),
        atomicityGroup: 'g',
      },
      {
        id: 'fail',
        method: 'POST',
        url: '/managedTenantOperations',
        body: { bad: 1 },
        atomicityGroup: 'g',
      },
    ]);
    const results = await Promise.all([...outside, group]);
    expect(results.slice(0, 10).every((r) => r.statusCode === 201)).toBe(true);
    expect(await count()).toBe(before + 10);
  });

  it.each([
    ['a body that is not an object', '[]'],
    ['no requests', JSON.stringify({ requests: [] })],
    [
      'more than 20 requests',
      JSON.stringify({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: `${i}`,
          method: 'GET',
          url: '/managedTenantOperations',
        })),
      }),
    ],
    ['a request without a url', JSON.stringify({ requests: [{ id: '1', method: 'GET' }] })],
    ['an unknown method', JSON.stringify({ requests: [{ id: '1', method: 'TRACE', url: '/x' }] })],
    [
      'an id used twice',
      JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/a' },
          { id: '1', method: 'GET', url: '/b' },
        ],
      }),
    ],
    [
      'a dependsOn on a later request',
      JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/a', dependsOn: ['2'] },
          { id: '2', method: 'GET', url: '/b' },
        ],
      }),
    ],
    [
      'an absolute url',
      JSON.stringify({ requests: [{ id: '1', method: 'GET', url: 'http://evil.test/beta/x' }] }),
    ],
    [
      'a nested $batch',
      JSON.stringify({ requests: [{ id: '1', method: 'POST', url: '/$batch', body: {} }] }),
    ],
    [
      'a header with a line break',
      JSON.stringify({
        requests: [{ id: '1', method: 'GET', url: '/a', headers: { x: 'a\r\nb: c' } }],
      }),
    ],
    [
      'a group that is not adjacent',
      JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/a', atomicityGroup: 'g' },
          { id: '2', method: 'GET', url: '/a' },
          { id: '3', method: 'GET', url: '/a', atomicityGroup: 'g' },
        ],
      }),
    ],
  ])('rejects %s with 400 and runs nothing', async (_, payload) => {
    const before = await count();
    const response = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalidRequest');
    expect(await count()).toBe(before);
  });

  it.each([
    '/$batch',
    '$batch',
    '/$batch/',
    './$batch',
    '$batch#',
    '$batch?x=1',
    '%24batch',
    '%24BATCH',
    '$Batch',
    '/beta/$batch',
    'managedTenantOperations/../$batch',
    'managedTenantOperations/%2e%2e/$batch',
    '.%2e/beta/$batch',
  ])('refuses the inner url %s, which reaches $batch, and runs nothing', async (url) => {
    const inner = { requests: [{ id: '1', method: 'GET', url: '/managedTenantOperations' }] };
    const response = await batch([
      {
        id: '1',
        method: 'POST',
        url,
        body: inner,
        headers: { 'content-type': 'application/json' },
      },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'invalidRequest',
      message: 'requests[0].url cannot be another $batch.',
    });
  });

  it('takes 20 requests', async () => {
    const response = await batch(
      Array.from({ length: 20 }, (_, i) => ({
        id: `${i}`,
        method: 'GET',
        url: '/managedTenantOperations?$top=1',
      })),
    );
    expect(response.json().responses).toHaveLength(20);
  });

  it('refuses a request that brings its own Authorization, in either format: the batch decides who calls', async () => {
    const other = await app.token({ tenantId: randomUUID() });
    const before = await count();
    const json = await batch([
      { id: 'mine', method: 'GET', url: '/managedTenantOperations/$count' },
      {
        id: 'theirs',
        method: 'POST',
        url: '/managedTenantOperations',
        body: newOperation(),
        headers: { Authorization: `Bearer ${other}` },
      },
    ]);
    expect(json.statusCode).toBe(200);
    const [mine, theirs] = json.json().responses;
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(400);
    expect(theirs.body.error).toMatchObject({
      code: 'invalidRequest',
      message:
        "The request 'theirs' was not run: it has a header 'authorization' of its own, but every request of a batch runs with the batch's authorization. Send it in a batch of its own.",
    });
    const multipart = multipartBatch([
      {
        method: 'POST',
        url: 'managedTenantOperations',
        body: newOperation(),
        headers: { Authorization: `Bearer ${other}` },
      },
    ]);
    const mixed = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      payload: multipart.body,
      headers: { 'content-type': multipart.contentType },
    });
    expect(mixed.statusCode).toBe(200);
    expect(mixed.body).toMatch(
      /HTTP\/1\.1 400 Bad Request[^]*has a header 'authorization' of its own/,
    );
    expect(await count()).toBe(before);
  });
});
