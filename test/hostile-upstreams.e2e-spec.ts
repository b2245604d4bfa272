import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  createOperation,
  finished,
  httpRequestsOf,
  resultsOf,
  runnableOperation,
  runOperation,
} from './support/engine';
import {
  HostileUpstream,
  issuedToken,
  json,
  silent,
  startHostileUpstream,
  trickle,
} from './support/hostile-upstream';
import { recordingDestination } from './support/recording-destination';
import { appendToRunLog, noteSecret } from './support/run-log';
import { ENTITY_SET, TestApp } from './support/test-app';
import { describeOnSqlite } from './support/test-database';

jest.setTimeout(60_000);

const CLIENT_SECRET = 'hostile-test-client-secret-0123456789';

function engineEnvOf(upstream: HostileUpstream, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  noteSecret(CLIENT_SECRET);
  return {
    GRAPH_API_URL: upstream.url,
    ENTRA_AUTHORITY_URL: upstream.url,
    ENTRA_CLIENT_ID: 'hostile-test-client',
    ENTRA_CLIENT_SECRET: CLIENT_SECRET,
    ENGINE_RETRY_BASE_MS: '20',
    ENGINE_POLL_MS: '50',
    ENGINE_CALL_TIMEOUT_MS: '500',
    ENGINE_MAX_ATTEMPTS: '2',
    ...env,
  };
}

const tenants = (count: number) => Array.from({ length: count }, () => randomUUID());

/** An operation's whole visible state: the entity, its results and its HTTP requests. */
async function everythingOf(app: TestApp, id: string): Promise<string> {
  const operation = (await app.get(`${ENTITY_SET}/${id}`)).body;
  return [
    operation,
    JSON.stringify(await resultsOf(app, id)),
    JSON.stringify(await httpRequestsOf(app, id)),
  ].join('\n');
}

/**
 * The engine against upstreams that misbehave: every call bounded in time and bytes, secrets
 * kept out of what it stores, returns and logs, and a customer list that is not trusted.
 */
describe('the engine against hostile upstreams', () => {
  let upstream: HostileUpstream;
  let app: TestApp;
  const log = recordingDestination();

  beforeAll(async () => {
    upstream = await startHostileUpstream();
    app = await TestApp.start(
      engineEnvOf(upstream, {
        ENGINE_MAX_TENANT_BYTES: '65536',
        ENGINE_MAX_AGGREGATE_BYTES: '100000',
      }),
      { logDestination: log.destination },
    );
  });
  afterEach(() => {
    upstream.graph = (_, response) => json(response, 200, { value: [] });
    upstream.token = (request, response) => {
      const tenant = request.path.split('/')[1];
      json(response, 200, { access_token: issuedToken(tenant), expires_in: 3600 });
    };
  });
  afterAll(async () => {
    appendToRunLog(log.lines.join(''));
    await app?.dispose();
    await upstream?.close();
  });

  it('fails a try at ENGINE_CALL_TIMEOUT_MS when the answer trickles, retries it, and ends the run', async () => {
    upstream.graph = trickle(100);
    const started = Date.now();
    const id = await createOperation(app, runnableOperation('GET /v1.0/users', tenants(1)));
    expect((await runOperation(app, id)).statusCode).toBe(202);
    const operation = await finished(app, id, 15_000);
    expect(operation.status).toBe('failed');
    expect(operation.result.tenantExceptions[0].exception).toBe(
      'GET /v1.0/users failed after 2 attempts: the answer did not end within 500 ms',
    );
    expect(upstream.requests.filter((r) => r.path === '/v1.0/users')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails a tenant whose rows pass ENGINE_MAX_TENANT_BYTES, and stops the aggregate at ENGINE_MAX_AGGREGATE_BYTES', async () => {
    const row = (index: number) => ({ id: String(index), padding: 'x'.repeat(1_000) });
    upstream.graph = (request, response) =>
      json(response, 200, {
        value: Array.from({ length: request.path.includes('big') ? 100 : 40 }, (_, i) => row(i)),
      });
    const big = await createOperation(app, runnableOperation('GET /v1.0/big', tenants(1)));
    const failedRun = await finished(app, (await runOperation(app, big), big));
    expect(failedRun.status).toBe('failed');
    expect(failedRun.result.tenantExceptions[0].exception).toBe(
      "The tenant's rows are larger than 64 KiB (ENGINE_MAX_TENANT_BYTES): ask for fewer rows or properties ($select, $top, $filter).",
    );

    const many = await createOperation(app, runnableOperation('GET /v1.0/users', tenants(3)));
    await runOperation(app, many);
    const summed = await finished(app, many);
    expect(summed.status).toBe('succeeded');
    // 40 rows of about 1 KB a tenant: three tenants keep 120 rows, the aggregate fewer.
    const kept = summed.result.result.length;
    expect(kept).toBeGreaterThan(40);
    expect(kept).toBeLessThan(100);
    expect(summed.result.result.join('').length).toBeLessThanOrEqual(100_000);
    expect(summed.result.executionInfo).toContain(
      `the aggregate stopped at ${kept} rows: its rows reached 100000 bytes (ENGINE_MAX_AGGREGATE_BYTES)`,
    );
    expect((await resultsOf(app, many)).map((r) => r.result.length)).toEqual([40, 40, 40]);
  });

  it('keeps the dapAccessToken, the client secret and obtained tokens out of everything it stores and returns', async () => {
    const targets = tenants(2);
    const body = runnableOperation('GET /v1.0/users', targets, { logLevel: 'full' });
    const dap = (body.credentials as { dapAccessToken: string }).dapAccessToken;
    // The first tenant's token endpoint refuses, echoing what it was sent.
    upstream.token = (request, response) => {
      const tenant = request.path.split('/')[1];
      if (tenant === targets[0]) {
        const form = new URLSearchParams(request.body);
        json(response, 400, {
          error: `invalid_grant: the assertion ${form.get('assertion')} was refused (client secret ${form.get('client_secret')})`,
        });
      } else {
        json(response, 200, { access_token: issuedToken(tenant), expires_in: 3600 });
      }
    };
    // Graph refuses the second, echoing the bearer token and the JWT-shaped assertion.
    upstream.graph = (request, response) =>
      json(response, 401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message: `The token '${request.headers.authorization}' is not valid here; eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.c2ln`,
        },
      });
    const id = await createOperation(app, body);
    await runOperation(app, id);
    const operation = await finished(app, id);
    expect(operation.status).toBe('failed');
    const seen = await everythingOf(app, id);
    for (const secret of [dap, CLIENT_SECRET, issuedToken(targets[1]), 'eyJhbGciOiJub25lIn0']) {
      expect({ secret, shown: seen.includes(secret) }).toEqual({ secret, shown: false });
    }
    const exceptions = operation.result.tenantExceptions.map(
      (e: { exception: string }) => e.exception,
    );
    expect(exceptions).toEqual(
      expect.arrayContaining([
        `The token endpoint refused a token for tenant ${targets[0]}: invalid_grant: the assertion [redacted] was refused (client secret [redacted]).`,
        "GET /v1.0/users answered 401 InvalidAuthenticationToken: The token 'Bearer [redacted]' is not valid here; [redacted].",
      ]),
    );
    for (const line of log.lines) {
      for (const secret of [dap, CLIENT_SECRET, issuedToken(targets[1])]) {
        expect(line.includes(secret)).toBe(false);
      }
    }
  });

  it("says an answer nested a million levels deep is nested too deep, in the caller's terms", async () => {
    upstream.graph = (_, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`{"value":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
    const id = await createOperation(app, runnableOperation('GET /v1.0/users', tenants(1)));
    await runOperation(app, id);
    const operation = await finished(app, id);
    expect(operation.result.tenantExceptions[0].exception).toBe(
      'GET /v1.0/users answered 200 with JSON nested deeper than 128 levels; it was not read.',
    );
    expect(await everythingOf(app, id)).not.toMatch(/call stack|RangeError|at .*\.js/);
  });

  it('runs only the customers of /contracts whose customerId is a tenant id, and reports the others', async () => {
    const good = randomUUID();
    const bad = ['..', '', '../../x', '%2e%2e', `${upstream.url}/x`, '?x=1'];
    upstream.graph = (request, response) => {
      if (request.path.startsWith('/v1.0/contracts')) {
        json(response, 200, {
          value: [...bad, good]
            .map((customerId) => ({ customerId }))
            .concat([{ customerId: 7 } as never]),
        });
      } else json(response, 200, { value: [{ id: 'u1' }] });
    };
    upstream.tokenPaths.length = 0;
    const id = await createOperation(app, runnableOperation('GET /v1.0/users', 'all'));
    await runOperation(app, id);
    const operation = await finished(app, id);
    // Every token request went to one tenant's own path: the partner's, then the good customer's.
    for (const path of upstream.tokenPaths) {
      expect(path).toMatch(/^\/[0-9a-f-]{36}\/oauth2\/v2\.0\/token$/);
    }
    expect(upstream.tokenPaths).toContain(`/${good}/oauth2/v2.0/token`);
    expect((await resultsOf(app, id)).map((r) => r.targetTenantId)).toEqual([good]);
    expect(operation.result.result).toHaveLength(1);
    expect(operation.status).toBe('failed');
    const reported = operation.result.tenantExceptions.map((e: { tenantId: string }) => e.tenantId);
    expect(reported.sort()).toEqual([...bad, '7'].sort());
    expect(operation.result.tenantExceptions[0].exception).toMatch(
      /^Not run: GET \/v1\.0\/contracts gave the customerId '.*', which is not a tenant id \(a GUID\)\.$/,
    );
    expect(operation.result.executionInfo).toMatch(/1 succeeded, 0 failed, 7 not run/);
    // Run again in the tenants that did not succeed: the refused ones are not tenants to run.
    await runOperation(app, id);
    const again = await finished(app, id);
    expect(again.status).toBe('failed');
    expect((await resultsOf(app, id)).every((r) => r.targetTenantId === good)).toBe(true);
  });
});

describe('cancelling a run whose calls never end', () => {
  let upstream: HostileUpstream;
  let app: TestApp;

  beforeAll(async () => {
    upstream = await startHostileUpstream();
    // A long deadline: only the cancel can end these calls quickly.
    app = await TestApp.start(engineEnvOf(upstream, { ENGINE_CALL_TIMEOUT_MS: '120000' }));
  });
  afterAll(async () => {
    await app?.dispose();
    await upstream?.close();
  });

  it.each([
    ['trickles', trickle(200)],
    ['never answers', silent],
  ])('is cancelled within a few seconds when the upstream %s', async (_, handler) => {
    upstream.graph = handler;
    const id = await createOperation(app, runnableOperation('GET /v1.0/users', tenants(3)));
    await runOperation(app, id);
    for (let waited = 0; upstream.inFlight() < 3; waited += 20) {
      if (waited > 10_000) throw new Error('the calls never started');
      await new Promise((done) => setTimeout(done, 20));
    }
    const cancelledAt = Date.now();
    expect((await runOperation(app, id, undefined, 'cancel')).statusCode).toBe(202);
    const operation = await finished(app, id, 5_000);
    expect(operation.status).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect(
      operation.result.tenantExceptions.map((e: { exception: string }) => e.exception),
    ).toEqual(Array(3).fill('Stopped: the operation was cancelled while this tenant ran.'));
    for (let waited = 0; upstream.inFlight() > 0 && waited < 2_000; waited += 20) {
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(upstream.inFlight()).toBe(0);
  });
});

// The database refuses a write, as a full disk or a row too large would: a trigger of SQLite's.
describeOnSqlite('a finished tenant whose result cannot be written', () => {
  it('is retried, then recorded as failed without its rows, and the run ends', async () => {
    const upstream = await startHostileUpstream();
    upstream.graph = (_, response) => json(response, 200, { value: [{ id: 'u1' }] });
    const app = await TestApp.start(engineEnvOf(upstream));
    const db = new Database(app.databasePath);
    try {
      db.exec(`CREATE TRIGGER refuse_successes BEFORE INSERT ON "managed_tenant_operation_results"
               WHEN NEW."isSuccess" = 1 BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`);
      const id = await createOperation(app, runnableOperation('GET /v1.0/users', tenants(2)));
      await runOperation(app, id);
      const operation = await finished(app, id, 20_000);
      expect(operation.status).toBe('failed');
      for (const { exception } of operation.result.tenantExceptions) {
        expect(exception).toMatch(
          /^The tenant's result could not be saved after 5 attempts; it is recorded as failed, without its rows \(error id [0-9a-f-]{36}\)\.$/,
        );
      }
      expect(operation.result.tenantExceptions).toHaveLength(2);
      expect(JSON.stringify(operation)).not.toContain('disk full');
      const results = await resultsOf(app, id);
      expect(results.map((r) => [r.isSuccess, r.result])).toEqual([
        [false, []],
        [false, []],
      ]);
    } finally {
      db.close();
      await app.dispose();
      await upstream.close();
    }
  });
});
