import { fullOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value)) {
      found.add(key);
      keysOf(nested, found);
    }
  }
  return found;
}

describe('metadata levels (odata.metadata=none|minimal|full)', () => {
  let app: TestApp;
  let id: string;
  beforeAll(async () => {
    app = await TestApp.start();
    id = (await app.post(fullOperation())).json().id;
  });
  afterAll(() => app.dispose());

  it('drops all control information with odata.metadata=none, but keeps paging links and counts', async () => {
    for (const request of [
      { url: `${ENTITY_SET}/${id}`, headers: { accept: 'application/json;odata.metadata=none' } },
      { url: `${ENTITY_SET}/${id}?$format=application/json;odata.metadata=none`, headers: {} },
    ]) {
      const response = await app.inject({ method: 'GET', ...request });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('odata.metadata=none');
      const annotations = [...keysOf(response.json())].filter((key) => key.includes('@odata.'));
      expect(annotations).toEqual([]);
    }
    await app.post(fullOperation());
    const page = await app.get(`${ENTITY_SET}?$count=true`, {
      accept: 'application/json;odata.metadata=none',
      prefer: 'odata.maxpagesize=1',
    });
    expect(Object.keys(page.json())).toEqual(['@odata.count', 'value', '@odata.nextLink']);
  });

  it('is minimal by default, as the seed shows it', async () => {
    const response = await app.get(`${ENTITY_SET}/${id}`);
    expect(response.headers['content-type']).toContain('odata.metadata=minimal');
    const body = response.json();
    expect(body['@odata.context']).toBeDefined();
    expect(body['@odata.id']).toBeUndefined();
    expect(body['partnerTenantId@odata.type']).toBeUndefined();
  });

  it('adds @odata.id, @odata.editLink and types with odata.metadata=full', async () => {
    for (const request of [
      {
        url: `${ENTITY_SET}/${id}`,
        headers: { accept: 'application/json;odata.metadata=full', host: 'h.test' },
      },
      { url: `${ENTITY_SET}?$format=json;odata.metadata=full`, headers: { host: 'h.test' } },
    ]) {
      const response = await app.inject({ method: 'GET', ...request });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('odata.metadata=full');
      const body = response.json();
      const entity = body.value ? body.value.find((e: { id: string }) => e.id === id) : body;
      expect(entity['@odata.id']).toBe(`http://h.test/beta/managedTenantOperations('${id}')`);
      expect(entity['@odata.editLink']).toBe(`managedTenantOperations('${id}')`);
      expect(entity['@odata.type']).toBe(
        '#microsoft.management.services.api.managedTenantOperation',
      );
      expect(entity['partnerTenantId@odata.type']).toBe('#Guid');
      expect(entity['createdDateTime@odata.type']).toBe('#DateTimeOffset');
      expect(entity['target']['tenantIds@odata.type']).toBe('#Collection(Guid)');
      expect(entity['operationDefinition']['logLevel@odata.type']).toBe(
        '#microsoft.graph.logLevel',
      );
      expect(entity['result']['tenantExceptions'][0]['@odata.type']).toBe(
        'microsoft.graph.tenantException',
      );
      expect(entity['name@odata.type']).toBeUndefined();
    }
  });

  it('applies the level to create and update responses too', async () => {
    const created = await app.post(fullOperation(), {
      accept: 'application/json;odata.metadata=none',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()['@odata.context']).toBeUndefined();
    const updated = await app.patch(
      `${ENTITY_SET}/${created.json().id}`,
      { status: 'x' },
      {
        accept: 'application/json;odata.metadata=full',
      },
    );
    expect(updated.json()['@odata.id']).toBeDefined();
  });

  it('answers a format it cannot produce with 406, before changing anything', async () => {
    expect((await app.get(`${ENTITY_SET}/${id}`, { accept: 'application/xml' })).statusCode).toBe(
      406,
    );
    expect((await app.get(`${ENTITY_SET}?$format=xml`)).statusCode).toBe(406);
    expect(
      (await app.get(ENTITY_SET, { accept: 'application/json;odata.metadata=verbose' })).statusCode,
    ).toBe(406);
    const before = (await app.get(`${ENTITY_SET}/$count`)).body;
    const rejected = await app.post(fullOperation(), { accept: 'text/html' });
    expect(rejected.statusCode).toBe(406);
    expect(rejected.json().error.code).toBe('notAcceptable');
    expect((await app.get(`${ENTITY_SET}/$count`)).body).toBe(before);
  });

  it('accepts what browsers and SDKs send', async () => {
    for (const accept of [
      '*/*',
      'application/json',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    ]) {
      expect((await app.get(ENTITY_SET, { accept })).statusCode).toBe(200);
    }
  });
});
