import { randomUUID } from 'node:crypto';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';
import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';

describe('POST /beta/managedTenantOperations', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  it("creates the seed's example and answers 201 with Location and the seed's response shape", async () => {
    const response = await app.post(seedExampleRequest, { host: 'graph.test' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(response.headers.location).toBe(
      `http://graph.test/beta/managedTenantOperations('${body.id}')`,
    );
    expect(body['@odata.context']).toBe(
      'http://graph.test/beta/$metadata#managedTenantOperations/$entity',
    );
    expect(body['@odata.type']).toBe('#microsoft.management.services.api.managedTenantOperation');
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const [name, type] of [
      ['result', 'managedTenantOperationAggregateResult'],
      ['target', 'managedTenantOperationTarget'],
      ['operationDefinition', 'managedTenantOperationDefinition'],
      ['aggregationDefinition', 'managedTenantOperationDefinition'],
      ['credentials', 'managedTenantOperationCredentials'],
    ]) {
      expect(body[name]['@odata.type']).toBe(`microsoft.graph.${type}`);
    }
    expect(body.credentials).toEqual({
      '@odata.type': 'microsoft.graph.managedTenantOperationCredentials',
    });
    for (const name of [
      'status',
      'partnerTenantId',
      'partnerUserId',
      'name',
      'description',
      'requestId',
    ]) {
      expect(body[name]).toBe((seedExampleRequest as Record<string, unknown>)[name]);
    }
    expect(Object.keys(body)).toEqual([
      '@odata.context',
      '@odata.type',
      '@odata.etag',
      'id',
      'result',
      'target',
      'operationDefinition',
      'aggregationDefinition',
      'credentials',
      'status',
      'createdDateTime',
      'lastModifiedDateTime',
      'partnerTenantId',
      'partnerUserId',
      'name',
      'description',
      'requestId',
      // The model's extension (null: the operation runs when asked only).
      'schedule',
    ]);
    expect(body.schedule).toBeNull();
  });

  it('sets createdDateTime and lastModifiedDateTime to now, in UTC, ignoring values the client sent', async () => {
    const before = Date.now();
    const response = await app.post(
      newOperation({
        createdDateTime: '2001-01-01T00:00:00Z',
        lastModifiedDateTime: 'not even a date',
      }),
    );
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.createdDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(body.createdDateTime)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(body.createdDateTime)).toBeLessThanOrEqual(Date.now());
    expect(body.lastModifiedDateTime).toBe(body.createdDateTime);
  });

  it('returns every complex property it was given, normalised, and never the secret', async () => {
    const input = fullOperation();
    const response = await app.post(input);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.result).toMatchObject({
      createdDateTime: '2026-01-31T12:00:00.000Z',
      lastModifiedDateTime: '2026-01-31T12:30:00.250Z',
      isSuccess: false,
      isComplete: true,
      result: ['ok', 'failed'],
    });
    expect(body.target.tenantIds).toEqual((input.target as { tenantIds: string[] }).tenantIds);
    expect(body.operationDefinition.lambdaDefinitions).toEqual([
      { id: 'step-1', type: 2, value: 'x => x', configuration: '{}' },
    ]);
    expect(body.aggregationDefinition.lambdaDefinitions).toEqual([]);
    expect(response.body).not.toContain(
      (input.credentials as { dapAccessToken: string }).dapAccessToken,
    );
  });

  it('uses a client-supplied GUID id, and answers 409 to a second create with the same id', async () => {
    const id = randomUUID();
    const first = await app.post(newOperation({ id }));
    expect(first.statusCode).toBe(201);
    expect(first.json().id).toBe(id);
    const second = await app.post(newOperation({ id: id.toUpperCase() }));
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('conflict');
    expect(second.json().error.message).toContain(id);
  });

  it('stores and returns dynamic properties of the open type as they were sent', async () => {
    const extra = {
      ticket: 'INC-42',
      attempts: 3,
      tags: ['a', { b: null }],
      nested: { deep: true },
    };
    const created = await app.post(newOperation(extra));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject(extra);
    const read = await app.get(`${ENTITY_SET}/${created.json().id}`);
    expect(read.json()).toMatchObject(extra);
  });

  it('ignores instance annotations other than @odata.type', async () => {
    const created = await app.post(newOperation({ '@odata.context': 'x', 'name@core.note': 'y' }));
    expect(created.statusCode).toBe(201);
    expect(created.json()['name@core.note']).toBeUndefined();
  });

  it('accepts the type names with or without #', async () => {
    const created = await app.post(
      newOperation({
        '@odata.type': 'microsoft.management.services.api.managedTenantOperation',
        result: { '@odata.type': '#microsoft.graph.managedTenantOperationAggregateResult' },
      }),
    );
    expect(created.statusCode).toBe(201);
  });

  it('answers Prefer: return=minimal with 204, Location, OData-EntityId and Preference-Applied', async () => {
    const response = await app.post(newOperation(), { prefer: 'return=minimal' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(response.headers['preference-applied']).toBe('return=minimal');
    expect(response.headers['odata-entityid']).toBe(response.headers.location);
    const read = await app.inject({
      method: 'GET',
      url: new URL(response.headers.location as string).pathname,
    });
    expect(read.statusCode).toBe(200);
  });

  describe('validation', () => {
    const guid = randomUUID();
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['a missing required property', { name: undefined }, 'name', 'is required'],
      ['a missing target', { target: undefined }, 'target', 'is required'],
      ['a null required property', { name: null }, 'name', 'is required'],
      ['a non-GUID partnerTenantId', { partnerTenantId: 'Guid' }, 'partnerTenantId', 'Guid'],
      ['a number for a String', { status: 5 }, 'status', 'String'],
      ['a too long name', { name: 'x'.repeat(257) }, 'name', 'at most 256'],
      ['a non-GUID id', { id: 'abc' }, 'id', 'GUID'],
      ['an array for a complex value', { result: [] }, 'result', 'object of type'],
      ['a string for a complex value', { target: 'all' }, 'target', 'object of type'],
      [
        'a string for a Boolean',
        { target: { allTenants: 'true' } },
        'target.allTenants',
        'Boolean',
      ],
      [
        'a non-GUID in a Guid collection',
        { target: { tenantIds: [guid, 'x'] } },
        'target.tenantIds',
        'Guid',
      ],
      [
        'a non-array for a collection',
        { target: { tenantIds: guid } },
        'target.tenantIds',
        'array',
      ],
      [
        'an unknown enum member',
        { operationDefinition: { logLevel: 'verbose' } },
        'operationDefinition.logLevel',
        "'none', 'summary', 'full'",
      ],
      [
        'a fraction for an Int32',
        { operationDefinition: { lambdaDefinitions: [{ type: 1.5 }] } },
        'operationDefinition.lambdaDefinitions[0].type',
        'Int32',
      ],
      [
        'an Int32 out of range',
        { operationDefinition: { lambdaDefinitions: [{ type: 2 ** 31 }] } },
        'operationDefinition.lambdaDefinitions[0].type',
        'Int32',
      ],
      [
        'a date without offset',
        { result: { createdDateTime: '2026-01-31T12:00:00' } },
        'result.createdDateTime',
        'DateTimeOffset',
      ],
      [
        'an impossible date',
        { result: { createdDateTime: '2026-02-30T12:00:00Z' } },
        'result.createdDateTime',
        'DateTimeOffset',
      ],
      [
        'a non-GUID deep inside a collection',
        { result: { tenantExceptions: [{ tenantId: 'no' }] } },
        'result.tenantExceptions[0].tenantId',
        'Guid',
      ],
      [
        'an unknown property in a complex value',
        { target: { everyone: true } },
        'target.everyone',
        'is not a property',
      ],
      [
        'a nested @odata.type naming another type',
        { target: { '@odata.type': 'microsoft.graph.tenantException' } },
        'target.@odata.type',
        'managedTenantOperationTarget',
      ],
      [
        'an entity @odata.type naming another type',
        { '@odata.type': '#microsoft.graph.user' },
        '@odata.type',
        'managedTenantOperation',
      ],
      [
        'a number for the secret',
        { credentials: { dapAccessToken: 42 } },
        'credentials.dapAccessToken',
        'String',
      ],
      ['an invalid dynamic property name', { 'not a name': 1 }, 'not a name', 'not a valid name'],
    ];

    it.each(cases)(
      'rejects %s with 400 naming the property',
      async (_, overrides, path, expected) => {
        const body = newOperation(overrides);
        for (const [key, value] of Object.entries(overrides))
          if (value === undefined) delete body[key];
        const response = await app.post(body);
        expect(response.statusCode).toBe(400);
        const { error } = response.json();
        expect(error.code).toBe('invalidRequest');
        expect(error.message).toContain(`'${path}'`);
        expect(error.message).toContain(expected);
      },
    );

    it.each([
      ['an array', '[]'],
      ['a string', '"text"'],
      ['null', 'null'],
    ])('rejects %s as the body with 400', async (_, payload) => {
      const response = await app.inject({
        method: 'POST',
        url: ENTITY_SET,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('JSON object');
    });

    it('creates nothing when it rejects a body', async () => {
      const before = (await app.get(ENTITY_SET)).json().value.length;
      await app.post(newOperation({ partnerUserId: 'nope' }));
      expect((await app.get(ENTITY_SET)).json().value).toHaveLength(before);
    });
  });

  describe('fills in what a caller leaves out', () => {
    const minimal = {
      name: 'Only what a person types',
      target: { allTenants: true },
      operationDefinition: { value: 'GET /v1.0/users?$top=5' },
      credentials: { dapAccessToken: 'a-delegated-admin-token-of-the-test' },
    };

    it('takes the partner tenant and user from the token, and defaults requestId, status, description, result and aggregationDefinition', async () => {
      const first = await app.post(minimal);
      expect(first.statusCode).toBe(201);
      const body = first.json();
      expect(body).toMatchObject({
        partnerTenantId: TEST_TENANT,
        partnerUserId: TEST_USER,
        status: 'created',
        description: '',
        result: { tenantExceptions: [], result: [] },
        aggregationDefinition: { value: '' },
      });
      expect(body.requestId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      // A new requestId each time: the same body twice is two operations.
      const second = (await app.post(minimal)).json();
      expect(second.id).not.toBe(body.id);
      expect(second.requestId).not.toBe(body.requestId);
    });

    it('still refuses a partner tenant or user that is not the caller', async () => {
      for (const [name, value] of [
        ['partnerTenantId', randomUUID()],
        ['partnerUserId', randomUUID()],
      ]) {
        const response = await app.post({ ...minimal, [name]: value });
        expect({ name, status: response.statusCode }).toEqual({ name, status: 403 });
      }
    });

    it('keeps the requestId on a PUT that leaves it out, and fills in the rest', async () => {
      const created = (await app.post(newOperation())).json();
      const replaced = await app.inject({
        method: 'PUT',
        url: `${ENTITY_SET}/${created.id}`,
        payload: { ...minimal, name: 'Replaced' },
      });
      expect(replaced.statusCode).toBe(200);
      expect(replaced.json()).toMatchObject({
        name: 'Replaced',
        requestId: created.requestId,
        partnerTenantId: TEST_TENANT,
        status: 'created',
      });
    });
  });
});
