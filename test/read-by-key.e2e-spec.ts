import { randomUUID } from 'node:crypto';
import { AuthenticationGuard } from '../src/auth/authentication.guard';
import { newOperation } from './support/operation-factory';
import { recordingDestination } from './support/recording-destination';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * GET and HEAD by key, the most frequent requests, through the same Nest pipeline as every other
 * route (guards, pipes, interceptors, the exception filter).
 */
describe('GET /managedTenantOperations/{id}', () => {
  let app: TestApp;
  const { destination, lines } = recordingDestination();

  beforeAll(async () => {
    app = await TestApp.start({ THROTTLE_LIMIT: '20' }, { logDestination: destination });
  });

  afterAll(async () => {
    await app.dispose();
  });

  /** Each test reads as a user of its own, so that the throttling budgets do not mix. */
  async function asNewUser(scopes?: string[]): Promise<Record<string, string>> {
    const token = await app.token({ userId: randomUUID(), ...(scopes ? { scopes } : {}) });
    return { authorization: `Bearer ${token}` };
  }

  it("is run by Nest's router with its guards, as the collection is, for GET and HEAD", async () => {
    const created = (await app.post(newOperation())).json();
    const nestGuard = jest.spyOn(app.app.get(AuthenticationGuard), 'canActivate');
    try {
      await app.get(`${ENTITY_SET}/${created.id}`);
      await app.inject({ method: 'HEAD', url: `${ENTITY_SET}/${created.id}` });
      expect(nestGuard).toHaveBeenCalledTimes(2);
      await app.get(ENTITY_SET);
      expect(nestGuard).toHaveBeenCalledTimes(3);
    } finally {
      nestGuard.mockRestore();
    }
  });

  it('answers with the entity, its ETag and every header of the HTTP conventions; HEAD without the body', async () => {
    const headers = await asNewUser();
    const created = (await app.post(newOperation())).json();
    const read = await app.get(`${ENTITY_SET}/${created.id}`, headers);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);
    expect(read.headers).toMatchObject({
      etag: created['@odata.etag'],
      'odata-version': '4.0',
      'content-type': expect.stringMatching(/^application\/json;odata\.metadata=minimal/),
      'request-id': expect.any(String),
      'client-request-id': expect.any(String),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const head = await app.inject({ method: 'HEAD', url: `${ENTITY_SET}/${created.id}`, headers });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(created['@odata.etag']);
    expect(head.body).toBe('');
  });

  it('matches a key whatever its case and in the key-predicate form, and honours If-None-Match and $select', async () => {
    const headers = await asNewUser();
    const created = (await app.post(newOperation())).json();
    const upper = await app.get(`${ENTITY_SET}('${created.id.toUpperCase()}')`, headers);
    expect(upper.json().id).toBe(created.id);
    const unchanged = await app.get(`${ENTITY_SET}/${created.id}`, {
      ...headers,
      'if-none-match': created['@odata.etag'],
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    const selected = await app.get(`${ENTITY_SET}/${created.id}?$select=status`, headers);
    expect(Object.keys(selected.json()).filter((key) => !key.startsWith('@'))).toEqual([
      'id',
      'status',
    ]);
  });

  it('answers errors with the Graph error body: 400, 401 (logged), 403 and 404', async () => {
    const headers = await asNewUser();
    const id = randomUUID();
    const expectError = async (
      response: Awaited<ReturnType<TestApp['get']>>,
      status: number,
      code: string,
    ) => {
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({
        status,
        code,
      });
      expect(response.json().error.innerError['request-id']).toBe(response.headers['request-id']);
    };
    await expectError(await app.get(`${ENTITY_SET}/${id}`, headers), 404, 'itemNotFound');
    await expectError(
      await app.get(`${ENTITY_SET}/${id}?$select=!`, headers),
      400,
      'invalidRequest',
    );
    const anonymous = await app.anonymous({ method: 'GET', url: `${ENTITY_SET}/${id}` });
    await expectError(anonymous, 401, 'InvalidAuthenticationToken');
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(lines.join('')).toContain(`401 for GET ${ENTITY_SET}/${id}: no Authorization header`);
    await expectError(
      await app.get(`${ENTITY_SET}/${id}`, await asNewUser(['User.Read'])),
      403,
      'Authorization_RequestDenied',
    );
  });

  it("is throttled with its tenant's budget, shared with the tenant's other routes (429 with Retry-After)", async () => {
    const tenantId = randomUUID();
    const headers = { authorization: `Bearer ${await app.token({ tenantId })}` };
    const created = (await app.post(newOperation({ partnerTenantId: tenantId }), headers)).json();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      statuses.push((await app.get(`${ENTITY_SET}/${created.id}`, headers)).statusCode);
    }
    // The create spent one of the 20.
    expect(statuses).toEqual([...Array(19).fill(200), 429]);
    const throttled = await app.get(`${ENTITY_SET}/${created.id}`, headers);
    expect(throttled.json().error.code).toBe('TooManyRequests');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // The collection, another route, spends the same budget.
    expect((await app.get(ENTITY_SET, headers)).statusCode).toBe(429);
  });
});

describe("a request's logger", () => {
  let app: TestApp;
  const { destination, lines } = recordingDestination();

  beforeAll(async () => {
    app = await TestApp.start({ LOG_LEVEL: 'warn' }, { logDestination: destination });
  });

  afterAll(async () => {
    await app.dispose();
  });

  it('is made only when the request logs through it: none for reads that log nothing', async () => {
    const created = (await app.post(newOperation())).json();
    // The service's pino loggers (Fastify's root and any request's) make children with the
    // `child` of the prototype they share.
    let owner: object = app.app.getHttpAdapter().getInstance().log;
    while (!Object.prototype.hasOwnProperty.call(owner, 'child'))
      owner = Object.getPrototypeOf(owner);
    const children = jest.spyOn(owner as { child: () => unknown }, 'child');
    try {
      for (let i = 0; i < 3; i += 1) {
        expect((await app.get(`${ENTITY_SET}/${created.id}`)).statusCode).toBe(200);
      }
      expect(children).not.toHaveBeenCalled();
      // A request that logs a warning gets its logger, with its requestId.
      const refused = await app.anonymous({ method: 'GET', url: `${ENTITY_SET}/${created.id}` });
      expect(refused.statusCode).toBe(401);
      expect(children).toHaveBeenCalledTimes(1);
      const warned = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 'warn');
      expect(warned).toMatchObject({ requestId: refused.headers['request-id'] });
    } finally {
      children.mockRestore();
    }
  });
});
