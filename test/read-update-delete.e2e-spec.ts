import { randomUUID } from 'node:crypto';
import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('managedTenantOperations read, update and delete', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  async function create(body = fullOperation()): Promise<Record<string, any>> {
    const response = await app.post(body);
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  describe('GET /beta/managedTenantOperations/{id}', () => {
    it('returns 200 with @odata.context and the entity', async () => {
      const created = await create();
      const response = await app.get(`${ENTITY_SET}/${created.id}`, { host: 'h.test:8080' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        ...created,
        '@odata.context': 'http://h.test:8080/beta/$metadata#managedTenantOperations/$entity',
      });
    });

    it("answers the OData key syntax ('{id}') and (id='{id}') the same way", async () => {
      const created = await create();
      for (const url of [
        `${ENTITY_SET}('${created.id}')`,
        `${ENTITY_SET}(id='${created.id}')`,
        `${ENTITY_SET}(%27${created.id}%27)`,
        `${ENTITY_SET}('${created.id.toUpperCase()}')`,
      ]) {
        const response = await app.get(url);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
        expect(response.json().id).toBe(created.id);
      }
    });

    it('answers an unknown id with 404 itemNotFound', async () => {
      for (const url of [`${ENTITY_SET}/${randomUUID()}`, `${ENTITY_SET}('it''s-not-there')`]) {
        const response = await app.get(url);
        expect(response.statusCode).toBe(404);
        expect(response.json().error.code).toBe('itemNotFound');
      }
    });
  });

  describe('GET /beta/managedTenantOperations', () => {
    it('returns every entity, newest first, under value with the collection context', async () => {
      const fresh = await TestApp.start();
      try {
        const ids: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          ids.push((await fresh.post(newOperation())).json().id);
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
        const response = await fresh.get(ENTITY_SET, { host: 'h.test' });
        expect(response.statusCode).toBe(200);
        const body = response.json();
        expect(body['@odata.context']).toBe('http://h.test/beta/$metadata#managedTenantOperations');
        expect(body.value.map((entity: { id: string }) => entity.id)).toEqual(ids.reverse());
        expect(body.value[0]['@odata.context']).toBeUndefined();
      } finally {
        await fresh.dispose();
      }
    });
  });

  describe('PATCH /beta/managedTenantOperations/{id}', () => {
    it('changes only the properties sent and advances lastModifiedDateTime', async () => {
      const created = await create();
      const response = await app.patch(`${ENTITY_SET}/${created.id}`, { status: 'succeeded' });
      expect(response.statusCode).toBe(200);
      const updated = response.json();
      expect(updated.status).toBe('succeeded');
      expect(updated.name).toBe(created.name);
      expect(updated.result).toEqual(created.result);
      expect(updated.createdDateTime).toBe(created.createdDateTime);
      expect(Date.parse(updated.lastModifiedDateTime)).toBeGreaterThan(
        Date.parse(created.lastModifiedDateTime),
      );
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).json()).toEqual(updated);
    });

    it('merges complex values property by property and replaces collections', async () => {
      const created = await create();
      const tenant = randomUUID();
      const response = await app.patch(`${ENTITY_SET}('${created.id}')`, {
        result: { isSuccess: true, tenantExceptions: [], exception: null },
        target: { tenantIds: [tenant] },
      });
      expect(response.statusCode).toBe(200);
      const updated = response.json();
      expect(updated.result).toEqual({
        ...created.result,
        isSuccess: true,
        exception: null,
        tenantExceptions: [],
      });
      expect(updated.target).toEqual({ ...created.target, tenantIds: [tenant] });
    });

    it('sets, replaces and (with null) removes dynamic properties', async () => {
      const created = await create(newOperation({ keep: 1, drop: 2 }));
      const response = await app.patch(`${ENTITY_SET}/${created.id}`, { drop: null, added: 'x' });
      expect(response.statusCode).toBe(200);
      const updated = response.json();
      expect(updated).toMatchObject({ keep: 1, added: 'x' });
      expect(updated).not.toHaveProperty('drop');
    });

    it('ignores computed properties and accepts an unchanged id', async () => {
      const created = await create();
      const response = await app.patch(`${ENTITY_SET}/${created.id}`, {
        id: created.id,
        createdDateTime: '2000-01-01T00:00:00Z',
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().createdDateTime).toBe(created.createdDateTime);
    });

    it('rejects a change of id with 400', async () => {
      const created = await create();
      const response = await app.patch(`${ENTITY_SET}/${created.id}`, { id: randomUUID() });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain("'id' cannot be changed");
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).statusCode).toBe(200);
    });

    it.each([
      ['null for a required property', { status: null }, 'status'],
      ['a non-GUID Guid', { requestId: 'x' }, 'requestId'],
      ['an unknown complex property', { result: { nope: 1 } }, 'result.nope'],
      [
        'a wrong nested type',
        { target: { '@odata.type': 'microsoft.graph.x' } },
        'target.@odata.type',
      ],
    ])('validates as on create, minus the required rule: rejects %s', async (_, body, path) => {
      const created = await create();
      const response = await app.patch(`${ENTITY_SET}/${created.id}`, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain(`'${path}'`);
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).json()).toEqual({
        ...created,
      });
    });

    it('answers Prefer: return=minimal with 204 and Preference-Applied', async () => {
      const created = await create();
      const response = await app.patch(
        `${ENTITY_SET}/${created.id}`,
        { name: 'renamed' },
        { prefer: 'return=minimal' },
      );
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(response.headers['preference-applied']).toBe('return=minimal');
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).json().name).toBe('renamed');
    });

    it('answers an unknown id with 404', async () => {
      const response = await app.patch(`${ENTITY_SET}/${randomUUID()}`, { status: 'x' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('itemNotFound');
    });

    it('loses no change when many PATCHes of different properties run at once', async () => {
      const created = await create();
      const updates = Array.from({ length: 20 }, (_, i) => ({ [`field${i}`]: i }));
      const responses = await Promise.all(
        updates.map((body) => app.patch(`${ENTITY_SET}/${created.id}`, body)),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(updates.map(() => 200));
      const final = (await app.get(`${ENTITY_SET}/${created.id}`)).json();
      updates.forEach((_, i) => expect(final[`field${i}`]).toBe(i));
    });
  });

  describe('DELETE /beta/managedTenantOperations/{id}', () => {
    it('answers 204, after which GET and a second DELETE answer 404', async () => {
      const created = await create();
      const response = await app.delete(`${ENTITY_SET}('${created.id}')`);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect((await app.get(`${ENTITY_SET}/${created.id}`)).statusCode).toBe(404);
      const again = await app.delete(`${ENTITY_SET}/${created.id}`);
      expect(again.statusCode).toBe(404);
      expect(again.json().error.code).toBe('itemNotFound');
    });
  });
});
