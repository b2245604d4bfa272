import { randomUUID } from 'node:crypto';
import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('ETags and conditional requests', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  async function create(): Promise<{ id: string; etag: string }> {
    const response = await app.post(newOperation());
    return { id: response.json().id, etag: response.headers.etag as string };
  }

  it('gives every entity a weak @odata.etag, and single-entity responses an ETag header', async () => {
    const created = await app.post(fullOperation());
    const body = created.json();
    expect(body['@odata.etag']).toMatch(/^W\/"[\w-]+"$/);
    expect(created.headers.etag).toBe(body['@odata.etag']);
    const read = await app.get(`${ENTITY_SET}/${body.id}`);
    expect(read.headers.etag).toBe(body['@odata.etag']);
    const list = (await app.get(`${ENTITY_SET}?$filter=id eq '${body.id}'`)).json();
    expect(list.value[0]['@odata.etag']).toBe(body['@odata.etag']);
  });

  it('changes the ETag on every update', async () => {
    const { id, etag } = await create();
    const first = await app.patch(`${ENTITY_SET}/${id}`, { status: 'a' });
    const second = await app.patch(
      `${ENTITY_SET}/${id}`,
      { status: 'a' },
      { prefer: 'return=minimal' },
    );
    expect(first.headers.etag).not.toBe(etag);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    expect(first.json()['@odata.etag']).toBe(first.headers.etag);
  });

  it('applies a PATCH whose If-Match matches, and answers 412 resourceModified otherwise', async () => {
    const { id, etag } = await create();
    const ok = await app.patch(`${ENTITY_SET}/${id}`, { status: 'one' }, { 'if-match': etag });
    expect(ok.statusCode).toBe(200);
    const stale = await app.patch(`${ENTITY_SET}/${id}`, { status: 'two' }, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.code).toBe('resourceModified');
    expect((await app.get(`${ENTITY_SET}/${id}`)).json().status).toBe('one');
    const listed = await app.patch(
      `${ENTITY_SET}/${id}`,
      { status: 'three' },
      { 'if-match': `"nope", ${ok.headers.etag}` },
    );
    expect(listed.statusCode).toBe(200);
  });

  it('lets If-Match: * match any existing entity, and not a missing one', async () => {
    const { id } = await create();
    expect(
      (await app.patch(`${ENTITY_SET}/${id}`, { status: 'x' }, { 'if-match': '*' })).statusCode,
    ).toBe(200);
    expect(
      (await app.patch(`${ENTITY_SET}/${randomUUID()}`, { status: 'x' }, { 'if-match': '*' }))
        .statusCode,
    ).toBe(404);
  });

  it('honours If-Match on DELETE', async () => {
    const { id, etag } = await create();
    await app.patch(`${ENTITY_SET}/${id}`, { status: 'changed' });
    const stale = await app.inject({
      method: 'DELETE',
      url: `${ENTITY_SET}/${id}`,
      headers: { 'if-match': etag },
    });
    expect(stale.statusCode).toBe(412);
    expect((await app.get(`${ENTITY_SET}/${id}`)).statusCode).toBe(200);
    const current = (await app.get(`${ENTITY_SET}/${id}`)).headers.etag as string;
    const ok = await app.inject({
      method: 'DELETE',
      url: `${ENTITY_SET}/${id}`,
      headers: { 'if-match': current },
    });
    expect(ok.statusCode).toBe(204);
  });

  it('answers GET with a matching If-None-Match with 304 and no body', async () => {
    const { id, etag } = await create();
    const notModified = await app.get(`${ENTITY_SET}/${id}`, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.etag).toBe(etag);
    await app.patch(`${ENTITY_SET}/${id}`, { status: 'changed' });
    expect((await app.get(`${ENTITY_SET}/${id}`, { 'if-none-match': etag })).statusCode).toBe(200);
  });

  it('lets exactly one of two concurrent PATCHes with the same If-Match succeed, every time', async () => {
    for (let round = 0; round < 25; round += 1) {
      const { id, etag } = await create();
      const results = await Promise.all(
        ['left', 'right'].map((status) =>
          app.patch(`${ENTITY_SET}/${id}`, { status }, { 'if-match': etag }),
        ),
      );
      const statuses = results.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([200, 412]);
      const winner = results.find((response) => response.statusCode === 200)!.json().status;
      expect((await app.get(`${ENTITY_SET}/${id}`)).json().status).toBe(winner);
    }
  });
});
