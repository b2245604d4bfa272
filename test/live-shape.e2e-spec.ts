import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { engineEnv, startSimulator } from './support/engine';
import { TestApp } from './support/test-app';

const LIVE = '/beta/tenantRelationships/managedTenants';

/**
 * The request of the live service's public client, byte for byte (its statement searching what
 * the Graph stand-in's users are named), as it sends it with `returnsPartialResults`.
 */
function partnerToolRequest(returnsPartialResults: boolean): string {
  return (
    `{"displayName": "getUsers", "returnsPartialResults": ${returnsPartialResults}, "target": {"allTenants": true}, ` +
    `"operationDefinition": {"values": ["@sys.normalize([ConsistencyLevel: eventual GET /v1.0/users?$top=5&$search=\\"displayName:User\\"])"]}, ` +
    `"aggregationDefinition": {"values": ["@sys.append([/result],50)"]}}`
  );
}

/** A property of an object by its name in any case, as PowerShell reads one. */
function property(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const key = Object.keys(value).find(
    (candidate) => candidate.toLowerCase() === name.toLowerCase(),
  );
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}

/**
 * What the tool does with the answer: `result.results` parsed as JSON when the answer has it,
 * else the error's message parsed as JSON and its `result.results`; the rows of the tenants it
 * asked about (here every customer) kept.
 */
function rowsAsTheToolReadsThem(
  answer: unknown,
  tenants: readonly string[],
): Array<Record<string, unknown>> {
  let results = property(property(answer, 'result'), 'results');
  if (results === undefined) {
    const message = property(property(answer, 'error'), 'message') as string;
    results = property(property(JSON.parse(message), 'result'), 'results');
  }
  const rows = JSON.parse(results as string) as Array<Record<string, unknown>>;
  return rows.filter((row) => tenants.includes(row._TenantId as string));
}

describe('the live service’s request shape', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 3, usersPerTenant: 2 });
    app = await TestApp.start(engineEnv(simulator));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const send = (returnsPartialResults: boolean) =>
    app.inject({
      method: 'POST',
      url: `${LIVE}/managedTenantOperations`,
      payload: partnerToolRequest(returnsPartialResults),
      headers: { 'content-type': 'application/json' },
    });

  it('runs the operation at once and answers with every tenant’s rows in result.results', async () => {
    const answer = await send(false);
    expect(answer.statusCode).toBe(201);
    const body = answer.json();
    expect(body).toMatchObject({
      displayName: 'getUsers',
      returnsPartialResults: false,
      status: 'succeeded',
      operationDefinition: {
        values: [
          '@sys.normalize([ConsistencyLevel: eventual GET /v1.0/users?$top=5&$search="displayName:User"])',
        ],
      },
      aggregationDefinition: { values: ['@sys.append([/result],50)'] },
    });
    expect(body).not.toHaveProperty('name');
    expect(Object.keys(body.credentials).filter((key) => !key.startsWith('@'))).toEqual([]);
    const rows = rowsAsTheToolReadsThem(body, simulator.customerTenantIds);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((row) => row._TenantId))).toEqual(new Set(simulator.customerTenantIds));
    expect(rows[0]).toHaveProperty('displayName');
    // The caller's own token was the assertion of the on-behalf-of exchange.
    const exchanges = simulator.tokenRequests.filter(
      (form) => form.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    );
    expect(exchanges.length).toBeGreaterThan(0);
    expect(exchanges[0].assertion).toBe(app.defaultToken);

    // Its Location reads it again, in the live shape.
    const again = await app.get(answer.headers.location!.replace('http://localhost:80', ''));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: body.id, displayName: 'getUsers' });
  });

  it('answers an error carrying the partial rows when tenants fail, or a success with them when partial results are asked for', async () => {
    const [failing, ...others] = simulator.customerTenantIds;
    simulator.faultsOf(failing).forbidden = true;
    try {
      const refused = await send(false);
      expect(refused.statusCode).toBe(424);
      expect(refused.json().error.code).toBe('partialResults');
      const partial = rowsAsTheToolReadsThem(refused.json(), simulator.customerTenantIds);
      expect(partial).toHaveLength(4);
      expect(new Set(partial.map((row) => row._TenantId))).toEqual(new Set(others));

      const accepted = await send(true);
      expect(accepted.statusCode).toBe(201);
      expect(accepted.json().status).toBe('failed');
      expect(rowsAsTheToolReadsThem(accepted.json(), simulator.customerTenantIds)).toHaveLength(4);
    } finally {
      simulator.faultsOf(failing).forbidden = false;
    }
  });

  it('lists, changes and deletes operations there in the live shape', async () => {
    const created = await send(true);
    const id = created.json().id;
    const listed = await app.get(
      `${LIVE}/managedTenantOperations?$filter=name eq 'getUsers'&$top=50`,
    );
    expect(listed.statusCode).toBe(200);
    const mine = listed
      .json()
      .value.find((operation: Record<string, unknown>) => operation.id === id);
    expect(mine).toMatchObject({
      displayName: 'getUsers',
      aggregationDefinition: { values: ['@sys.append([/result],50)'] },
    });
    expect(mine).not.toHaveProperty('name');

    const changed = await app.patch(`${LIVE}/managedTenantOperations/${id}`, {
      displayName: 'getAdmins',
      operationDefinition: { values: ['GET /v1.0/organization', 'GET /v1.0/users?$top=1'] },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      displayName: 'getAdmins',
      operationDefinition: { values: ['GET /v1.0/organization', 'GET /v1.0/users?$top=1'] },
    });
    expect((await app.get(`/beta/managedTenantOperations/${id}`)).json()).toMatchObject({
      name: 'getAdmins',
      operationDefinition: { value: 'GET /v1.0/organization\nGET /v1.0/users?$top=1' },
    });
    expect((await app.delete(`${LIVE}/managedTenantOperations/${id}`)).statusCode).toBe(204);
    expect((await app.get(`${LIVE}/managedTenantOperations/${id}`)).statusCode).toBe(404);
  });

  it('serves the other sets there too, the same entities', async () => {
    for (const set of ['tenants', 'tenantGroups', 'auditEvents', 'managedTenantOperationResults']) {
      const live = await app.get(`${LIVE}/${set}?$top=1&$count=true`);
      const ours = await app.get(`/beta/${set}?$top=1&$count=true`);
      expect([set, live.statusCode]).toEqual([set, 200]);
      expect(live.json()['@odata.count']).toBe(ours.json()['@odata.count']);
    }
  });

  it('refuses what is not an operation in either shape, saying which property', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: `${LIVE}/managedTenantOperations`,
      payload: {
        displayName: 'x',
        target: { allTenants: true },
        operationDefinition: { values: [7] },
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/operationDefinition\.value/);
  });
});
