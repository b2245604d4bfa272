import { existsSync, readFileSync } from 'node:fs';
import { RunQueueStore } from '../src/database/stores/run-queue.store';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  finished,
  httpRequestsOf,
  resultsOf,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { recordingDestination } from './support/recording-destination';
import { appendToRunLog } from './support/run-log';
import { storedRowsText } from './support/stored-rows';
import { ON_POSTGRES } from './support/test-database';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * The engine end to end: operations run against the Graph stand-in on loopback,
 * through the HTTP API, on the database the e2e run uses (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL).
 */
describe('running an operation', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let tenants: string[];
  const log = recordingDestination();

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 8, usersPerTenant: 40 });
    tenants = [...simulator.customerTenantIds];
    app = await TestApp.start(engineEnv(simulator, { ENGINE_CONCURRENCY: '2' }), {
      logDestination: log.destination,
    });
  });
  afterEach(() => simulator.setLatency(0));
  afterAll(async () => {
    appendToRunLog(log.lines.join(''));
    await app?.dispose();
    await simulator?.close();
  });

  const callsTo = (tenantId: string) =>
    simulator.calls.filter((call) => call.tenantId === tenantId).length;

  it('declares run and cancel as bound actions in $metadata and in OpenAPI', async () => {
    const xml = (await app.anonymous({ method: 'GET', url: '/beta/$metadata' })).body;
    for (const name of ['run', 'cancel']) {
      expect(xml).toMatch(
        new RegExp(
          `<Action Name="${name}" IsBound="true">\\s*<Parameter Name="bindingParameter" Type="microsoft.management.services.api.managedTenantOperation" Nullable="false"/>`,
        ),
      );
    }
    expect(xml).toContain(
      '<ReturnType Type="microsoft.management.services.api.managedTenantOperation"/>',
    );
    const json = (
      await app.anonymous({ method: 'GET', url: '/beta/$metadata?$format=json' })
    ).json();
    expect(json['microsoft.graph'].run).toEqual([
      expect.objectContaining({ $Kind: 'Action', $IsBound: true }),
    ]);
    const openApi = (await app.anonymous({ method: 'GET', url: '/docs-json' })).json();
    for (const path of ['run', 'microsoft.graph.run', 'cancel', 'microsoft.graph.cancel']) {
      const operation = openApi.paths[`/beta/managedTenantOperations/{id}/${path}`]?.post;
      expect({ path, responses: Object.keys(operation?.responses ?? {}).sort() }).toEqual({
        path,
        responses: expect.arrayContaining(['202', '409']),
      });
    }
  });

  it("runs Swagger UI's first example as it is, filled in from the token", async () => {
    const openApi = (await app.anonymous({ method: 'GET', url: '/docs-json' })).json();
    const examples =
      openApi.paths['/beta/managedTenantOperations'].post.requestBody.content['application/json']
        .examples;
    const [first] = Object.values(examples) as Array<{ value: Record<string, unknown> }>;
    const created = await app.post(first.value);
    expect(created.statusCode).toBe(201);
    const ran = await runOperation(app, created.json().id, 30);
    expect(ran.json()).toMatchObject({ status: 'succeeded' });
    // Every page of every customer's users (40 each).
    expect(ran.json().result.result.length).toBe(40 * tenants.length);
  });

  describe('run', () => {
    it('runs the statements in every target tenant and aggregates their rows with _TenantId', async () => {
      const targets = tenants.slice(0, 3);
      const id = await createOperation(app, runnableOperation('GET /v1.0/users?$top=10', targets));
      const started = await runOperation(app, id);
      expect(started.statusCode).toBe(202);
      expect(started.headers.location).toMatch(new RegExp(`${ENTITY_SET}\\('${id}'\\)$`));
      expect(started.headers['retry-after']).toBe('1');
      expect(started.body).toBe('');
      const operation = await finished(app, id);
      expect(operation.status).toBe('succeeded');
      expect(operation.result).toMatchObject({
        isComplete: true,
        isSuccess: true,
        tenantExceptions: [],
      });
      expect(operation.result.executionInfo).toMatch(
        /^Run 1 succeeded; 3 tenants: 3 succeeded, 0 failed; 12 calls/,
      );
      // 40 users each, 10 a page: every page followed.
      expect(operation.result.result).toHaveLength(120);
      const rows = operation.result.result.map((row: string) => JSON.parse(row));
      expect(new Set(rows.map((row: { _TenantId: string }) => row._TenantId))).toEqual(
        new Set(targets),
      );
      expect(rows[0]).not.toHaveProperty('@odata.context');
      const results = await resultsOf(app, id);
      expect(results.map((r) => r.targetTenantId).sort()).toEqual([...targets].sort());
      for (const result of results) {
        expect(result).toMatchObject({
          isSuccess: true,
          exception: null,
          managedTenantOperationId: id,
        });
        expect(result.result).toHaveLength(40);
        expect(result.executionInfo).toMatch(/^1 request, 4 calls, 40 rows/);
      }
    });

    it('asks the queue for work on its poll timer once nothing is left to run, not in a loop', async () => {
      const id = await createOperation(app, runnableOperation('GET /v1.0/organization', tenants));
      expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
      // The real store, counted: an idle worker that looked again after every look would ask
      // thousands of times a second.
      const queue = app.app.get(RunQueueStore);
      const runsWithWork = queue.runsWithWork.bind(queue);
      let asked = 0;
      queue.runsWithWork = (...args) => {
        asked += 1;
        return runsWithWork(...args);
      };
      try {
        await new Promise((done) => setTimeout(done, 1_000));
      } finally {
        queue.runsWithWork = runsWithWork;
      }
      // ENGINE_POLL_MS=50: about 20 polls in a second.
      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThanOrEqual(40);
    });

    it('is the action by its qualified name and on the parenthesised key too', async () => {
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/groups', tenants.slice(0, 1)),
      );
      const started = await app.inject({
        method: 'POST',
        url: `${ENTITY_SET}('${id}')/microsoft.graph.run`,
      });
      expect(started.statusCode).toBe(202);
      expect((await finished(app, id)).result.result).toHaveLength(2);
    });

    it('answers 200 with the finished operation within Prefer: wait, else 202', async () => {
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/groups', tenants.slice(0, 2)),
      );
      const waited = await runOperation(app, id, 20);
      expect(waited.statusCode).toBe(200);
      expect(waited.headers['preference-applied']).toBe('wait=20');
      expect(waited.headers.etag).toBeDefined();
      expect(waited.json()).toMatchObject({
        id,
        status: 'succeeded',
        result: { isComplete: true },
      });

      simulator.setLatency(1_500);
      const slow = await createOperation(
        app,
        runnableOperation('GET /v1.0/groups', tenants.slice(0, 1)),
      );
      const notYet = await runOperation(app, slow, 1);
      expect(notYet.statusCode).toBe(202);
      expect(notYet.headers['preference-applied']).toBe('wait=1');
      await finished(app, slow);
    });

    it('is 409 on a running operation, which keeps its definition but not its name', async () => {
      simulator.setLatency(400);
      const id = await createOperation(app, runnableOperation('GET /v1.0/groups', tenants));
      expect((await runOperation(app, id)).statusCode).toBe(202);
      const again = await runOperation(app, id);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('operationRunning');
      for (const change of [
        { status: 'succeeded' },
        { target: { tenantIds: [tenants[0]] } },
        { operationDefinition: { value: 'GET /v1.0/users' } },
        { aggregationDefinition: { value: '' } },
        { credentials: { dapAccessToken: 'another-token-value' } },
      ]) {
        const refused = await app.patch(`${ENTITY_SET}/${id}`, change);
        expect(refused.statusCode).toBe(409);
        expect(refused.json().error).toMatchObject({ code: 'operationRunning' });
        expect(refused.json().error.message).toContain(Object.keys(change)[0]);
      }
      const renamed = await app.patch(`${ENTITY_SET}/${id}`, { name: 'renamed', note: 'kept' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ name: 'renamed', note: 'kept', status: 'running' });
      // Progress is readable while it runs.
      let progress = '';
      for (let i = 0; i < 40 && !/Run 1 running: [1-9]/.test(progress); i += 1) {
        await new Promise((done) => setTimeout(done, 100));
        progress = (await app.get(`${ENTITY_SET}/${id}`)).json().result.executionInfo;
      }
      expect(progress).toMatch(
        /^Run 1 running: [1-9] of 8 tenants done \(\d+ succeeded, 0 failed\), \d+ pending/,
      );
      expect((await resultsOf(app, id)).length).toBeGreaterThan(0);
      const done = await finished(app, id);
      expect(done).toMatchObject({ status: 'succeeded', name: 'renamed' });
      expect((await app.patch(`${ENTITY_SET}/${id}`, { status: 'archived' })).statusCode).toBe(200);
    });

    it("needs ManagedTenants.ReadWrite.All and finds no other tenant's operation", async () => {
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/groups', tenants.slice(0, 1)),
      );
      const reader = await app.token({ scopes: ['ManagedTenants.Read.All'] });
      const readOnly = await app.inject({
        method: 'POST',
        url: `${ENTITY_SET}/${id}/run`,
        headers: { authorization: `Bearer ${reader}` },
      });
      expect(readOnly.statusCode).toBe(403);
      const stranger = await app.token({ tenantId: '0f0e0d0c-0b0a-4908-8706-050403020100' });
      for (const action of ['run', 'cancel']) {
        const other = await app.inject({
          method: 'POST',
          url: `${ENTITY_SET}/${id}/${action}`,
          headers: { authorization: `Bearer ${stranger}` },
        });
        expect(other.statusCode).toBe(404);
      }
      expect((await app.get(`${ENTITY_SET}/${id}`)).json().status).toBe('created');
    });

    it('runs in every customer of the partner with target.allTenants', async () => {
      const id = await createOperation(app, runnableOperation('GET /v1.0/groups', 'all'));
      expect((await runOperation(app, id, 30)).statusCode).toBe(200);
      const results = await resultsOf(app, id);
      expect(results.map((r) => r.targetTenantId).sort()).toEqual([...tenants].sort());
      const contracts = (await httpRequestsOf(app, id)).filter((r) =>
        r.request.url.includes('/contracts'),
      );
      expect(contracts).toHaveLength(1);
    });
  });

  describe('aggregation', () => {
    it('keeps at most N rows with @sys.append([/result], N), each tenant contributing in order', async () => {
      const id = await createOperation(
        app,
        runnableOperation(
          'GET /v1.0/users?$top=3',
          tenants.slice(0, 3),
          {},
          '@sys.append([/result], 7)',
        ),
      );
      const operation = (await runOperation(app, id, 30)).json();
      expect(operation.result.result).toHaveLength(7);
      expect(operation.result.executionInfo).toContain('3 succeeded');
    });

    it('runs several statements in order, an object answer contributing itself', async () => {
      const id = await createOperation(
        app,
        runnableOperation(
          [
            '[ConsistencyLevel: eventual] GET /v1.0/users?$count=true&$search="displayName:User 1"&$top=5',
            'POST /v1.0/groups {"displayName": "Helpdesk", "mailEnabled": false}',
          ].join('\n'),
          tenants.slice(0, 1),
        ),
      );
      const operation = (await runOperation(app, id, 30)).json();
      expect(operation.status).toBe('succeeded');
      const rows = operation.result.result.map((row: string) => JSON.parse(row));
      // "User 1", "User 10" … "User 19": 11 of 40, on three pages of 5, each with the header.
      expect(
        rows.filter((row: { displayName: string }) => row.displayName.startsWith('User 1')),
      ).toHaveLength(11);
      expect(rows[rows.length - 1]).toMatchObject({
        displayName: 'Helpdesk',
        _TenantId: tenants[0],
      });
      const searches = simulator.calls.filter((call) => call.path.includes('search'));
      expect(searches.length).toBe(3);
      expect(searches.every((call) => call.headers.consistencylevel === 'eventual')).toBe(true);
    });
  });

  describe('faults of the upstream', () => {
    it('retries 429 after Retry-After, 503 and time-outs, and records each attempt', async () => {
      const [throttled, unavailable, hanging] = tenants.slice(0, 3);
      simulator.faultsOf(throttled).throttle = 1;
      simulator.faultsOf(unavailable).serverErrors = 2;
      simulator.faultsOf(hanging).timeouts = 1;
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/groups', [throttled, unavailable, hanging]),
      );
      const operation = (await runOperation(app, id, 30)).json();
      expect(operation.status).toBe('succeeded');
      const calls = await httpRequestsOf(app, id);
      const of = (tenantId: string) =>
        calls
          .filter((call) => call.targetTenantId === tenantId)
          .sort((a, b) => a.attempt - b.attempt)
          .map((call) => [call.attempt, call.statusCode]);
      expect(of(throttled)).toEqual([
        [1, 429],
        [2, 200],
      ]);
      expect(of(unavailable)).toEqual([
        [1, 503],
        [2, 503],
        [3, 200],
      ]);
      expect(of(hanging)).toEqual([
        [1, null],
        [2, 200],
      ]);
      expect(operation.result.executionInfo).toMatch(/\(4 retried\)/);
    });

    it('never retries another 4xx, and says why a tenant failed', async () => {
      const [denied, ok, noToken] = tenants.slice(3, 6);
      simulator.faultsOf(denied).forbidden = true;
      simulator.faultsOf(noToken).tokenError = 'invalid_grant';
      try {
        const id = await createOperation(
          app,
          runnableOperation('GET /v1.0/users', [denied, ok, noToken]),
        );
        const operation = (await runOperation(app, id, 30)).json();
        expect(operation.status).toBe('failed');
        expect(operation.result.isSuccess).toBe(false);
        const exceptions = Object.fromEntries(
          operation.result.tenantExceptions.map((e: { tenantId: string; exception: string }) => [
            e.tenantId,
            e.exception,
          ]),
        );
        expect(Object.keys(exceptions).sort()).toEqual([denied, noToken].sort());
        expect(exceptions[denied]).toBe(
          'GET /v1.0/users answered 403 Authorization_RequestDenied: Insufficient privileges to complete the operation.',
        );
        expect(exceptions[noToken]).toContain(`tenant ${noToken}: invalid_grant`);
        expect(operation.result.result).toHaveLength(40);
        const deniedCalls = (await httpRequestsOf(app, id)).filter(
          (c) => c.targetTenantId === denied,
        );
        expect(deniedCalls.map((c) => [c.attempt, c.statusCode])).toEqual([[1, 403]]);
      } finally {
        simulator.faultsOf(denied).forbidden = false;
        simulator.faultsOf(noToken).tokenError = undefined;
      }
    });

    it('fails a tenant whose calls keep failing, after the configured attempts', async () => {
      const tenant = tenants[6];
      simulator.faultsOf(tenant).serverErrors = 100;
      try {
        const id = await createOperation(app, runnableOperation('GET /v1.0/groups', [tenant]));
        const operation = (await runOperation(app, id, 30)).json();
        expect(operation.result.tenantExceptions[0].exception).toBe(
          'GET /v1.0/groups answered 503 serviceNotAvailable: The service is unavailable after 5 attempts.',
        );
      } finally {
        simulator.faultsOf(tenant).serverErrors = 0;
      }
    });
  });

  describe('run again, cancel, failOnFirstError', () => {
    it('runs again only the tenants that failed, and aggregates with the earlier ones', async () => {
      const [a, b, c] = tenants.slice(0, 3);
      simulator.faultsOf(b).forbidden = true;
      const id = await createOperation(app, runnableOperation('GET /v1.0/organization', [a, b, c]));
      expect((await runOperation(app, id, 30)).json().status).toBe('failed');
      simulator.faultsOf(b).forbidden = false;
      const before = { a: callsTo(a), b: callsTo(b), c: callsTo(c) };
      const again = (await runOperation(app, id, 30)).json();
      expect(again.status).toBe('succeeded');
      expect(again.result.tenantExceptions).toEqual([]);
      expect(again.result.executionInfo).toMatch(/^Run 2 succeeded; 3 tenants: 3 succeeded/);
      expect(again.result.result).toHaveLength(3);
      expect({ a: callsTo(a), b: callsTo(b), c: callsTo(c) }).toEqual({
        ...before,
        b: before.b + 1,
      });
      const results = await resultsOf(app, id);
      expect(
        results
          .filter((r) => r.targetTenantId === b)
          .map((r) => r.isSuccess)
          .sort(),
      ).toEqual([false, true]);
      expect(results).toHaveLength(4);
      // Every tenant succeeded: a third run is a whole new run.
      const third = (await runOperation(app, id, 30)).json();
      expect(third.result.executionInfo).toMatch(/^Run 3 succeeded; 3 tenants/);
      expect(await resultsOf(app, id)).toHaveLength(7);
    });

    it('names the run that wrote each result and HTTP request (runNumber), to filter and sort by', async () => {
      const [a, b] = tenants.slice(0, 2);
      simulator.faultsOf(b).forbidden = true;
      const id = await createOperation(app, runnableOperation('GET /v1.0/organization', [a, b]));
      expect((await runOperation(app, id, 30)).json().status).toBe('failed');
      simulator.faultsOf(b).forbidden = false;
      expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
      const byRun = (rows: Array<Record<string, any>>) =>
        rows.map((row) => `${row.runNumber} ${row.targetTenantId === a ? 'a' : 'b'}`).sort();
      expect(byRun(await resultsOf(app, id))).toEqual(['1 a', '1 b', '2 b']);
      // One call per tenant and run (403 is not retried).
      expect(byRun(await httpRequestsOf(app, id))).toEqual(['1 a', '1 b', '2 b']);
      const second = await app.get(
        `${ENTITY_SET}/${id}/results?$filter=runNumber eq 2&$select=targetTenantId,isSuccess,runNumber`,
      );
      expect(second.json().value).toMatchObject([
        { targetTenantId: b, isSuccess: true, runNumber: 2 },
      ]);
      const newestRunFirst = await app.get(
        `/beta/managedTenantOperationHttpRequests?$filter=managedTenantOperationId eq '${id}'&$orderby=runNumber desc&$top=1`,
      );
      expect(newestRunFirst.json().value).toMatchObject([{ runNumber: 2, targetTenantId: b }]);
    });

    it('cancel: tenants not started are not started, those in flight are stopped, and the operation ends cancelled', async () => {
      simulator.setLatency(500);
      const id = await createOperation(app, runnableOperation('GET /v1.0/organization', tenants));
      expect((await runOperation(app, id)).statusCode).toBe(202);
      const cancelled = await runOperation(app, id, undefined, 'cancel');
      expect(cancelled.statusCode).toBe(202);
      expect(cancelled.headers.location).toContain(id);
      const operation = await finished(app, id);
      expect(operation.status).toBe('cancelled');
      const results = await resultsOf(app, id);
      expect(results).toHaveLength(8);
      const notRun = results.filter((r) =>
        r.exception?.startsWith('Not run: the operation was cancelled'),
      );
      expect(notRun.length).toBeGreaterThanOrEqual(4);
      // The calls in flight (each takes 500 ms) are stopped at once, not waited for.
      const stopped = results.filter(
        (r) => r.exception === 'Stopped: the operation was cancelled while this tenant ran.',
      );
      expect(results.filter((r) => r.isSuccess).length).toBe(8 - notRun.length - stopped.length);
      const again = await runOperation(app, id, undefined, 'cancel');
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('operationNotRunning');
      // A status a client wrote says nothing of a run.
      const written = await createOperation(
        app,
        runnableOperation('GET /v1.0/organization', tenants, {}, ''),
      );
      await app.patch(`${ENTITY_SET}/${written}`, { status: 'running' });
      const notRunning = await runOperation(app, written, undefined, 'cancel');
      expect(notRunning.statusCode).toBe(409);
      expect(notRunning.json().error.message).toBe(
        `The managedTenantOperation '${written}' has no run in progress; there is nothing to cancel.`,
      );
    });

    it('failOnFirstError stops starting tenants after the first failure', async () => {
      simulator.faultsOf(tenants[0]).forbidden = true;
      // Calls that take a while: the tenants that can start before the failure is known are the
      // first pair and the one that follows the other tenant of the pair.
      simulator.setLatency(200);
      try {
        const id = await createOperation(
          app,
          runnableOperation('GET /v1.0/organization', tenants, { failOnFirstError: true }),
        );
        const operation = (await runOperation(app, id, 30)).json();
        expect(operation.status).toBe('failed');
        const results = await resultsOf(app, id);
        expect(results).toHaveLength(8);
        const notRun = results.filter((r) => r.exception?.startsWith('Not run: failOnFirstError'));
        // Two at a time (ENGINE_CONCURRENCY=2): the first pair runs, the next may have started.
        expect(notRun.length).toBeGreaterThanOrEqual(5);
      } finally {
        simulator.faultsOf(tenants[0]).forbidden = false;
      }
    });
  });

  describe('HTTP requests, by log level', () => {
    it('none records nothing; summary method, URL, status and attempt; full headers and bodies, redacted', async () => {
      const statement = 'GET /v1.0/users?$top=40';
      const ids: Record<string, string> = {};
      for (const logLevel of ['none', 'summary', 'full']) {
        ids[logLevel] = await createOperation(
          app,
          runnableOperation(statement, tenants.slice(0, 1), { logLevel }),
        );
        expect((await runOperation(app, ids[logLevel], 30)).json().status).toBe('succeeded');
      }
      expect(await httpRequestsOf(app, ids.none)).toEqual([]);
      const [summary] = await httpRequestsOf(app, ids.summary);
      expect(summary).toMatchObject({
        attempt: 1,
        statusCode: 200,
        targetTenantId: tenants[0],
        request: { method: 'GET', url: `${simulator.url}/v1.0/users?$top=40` },
        response: null,
      });
      expect(summary.request.headers).toEqual([]);
      const [full] = await httpRequestsOf(app, ids.full);
      expect(full.request.headers).toContainEqual({
        name: 'Authorization',
        value: 'Bearer [redacted]',
      });
      expect(full.response.status).toBe(200);
      expect(full.response.headers).toContainEqual({
        name: 'content-type',
        value: 'application/json; charset=utf-8',
      });
      expect(full.response.body.length).toBeLessThanOrEqual(4_096 + '… [truncated]'.length);
      expect(full.response.body.endsWith('… [truncated]')).toBe(true);
    });
  });

  describe('statements', () => {
    it.each([
      ['GET /v1.0/../admin', 'line 1, column 11'],
      ['GET https://evil.example/v1.0/users', 'absolute URLs'],
      ['GET //evil.example/v1.0/users', 'absolute URLs'],
      ['GET /v1.0/%2e%2e/x', 'would leave the path'],
      ['[Host: evil.example] GET /v1.0/users', "the header 'Host' is the service's to set"],
      ['GET /v1.0/users\nDELETE /v1.0/users {"x": 1}', 'line 2'],
      ['GTE /v1.0/users', "line 1, column 1: 'GTE' is not one of GET"],
      [
        'GET /v1.0/users?$top=5 please',
        "line 1, column 22: $top must be a whole number, not '5 please'",
      ],
    ])('refuses %j on create, PATCH and PUT with a 400 that says where', async (value, where) => {
      const body = runnableOperation(value, tenants.slice(0, 1));
      const refused = await app.post(body);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toContain(where);
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/users', tenants.slice(0, 1)),
      );
      const patched = await app.patch(`${ENTITY_SET}/${id}`, { operationDefinition: { value } });
      expect(patched.statusCode).toBe(400);
      expect(patched.json().error.message).toContain(where);
      const replaced = await app.inject({
        method: 'PUT',
        url: `${ENTITY_SET}/${id}`,
        payload: body,
      });
      expect(replaced.statusCode).toBe(400);
      expect(replaced.json().error.message).toContain(where);
    });

    it('keeps a record whose value is no statement (as before), and refuses to run it', async () => {
      const id = await createOperation(app, runnableOperation('Set-Baseline', tenants.slice(0, 1)));
      const run = await runOperation(app, id);
      expect(run.statusCode).toBe(400);
      expect(run.json().error.message).toMatch(
        /^Invalid operationDefinition.value at line 1, column 1/,
      );
      const badAggregation = await app.post(
        runnableOperation('GET /v1.0/users', tenants.slice(0, 1), {}, '@sys.sum([/result])'),
      );
      expect(badAggregation.statusCode).toBe(400);
      expect(badAggregation.json().error.message).toContain('aggregationDefinition.value');
    });

    it('never follows an @odata.nextLink off the Graph endpoint', async () => {
      const tenant = tenants[7];
      simulator.faultsOf(tenant).foreignNextLink = true;
      try {
        const id = await createOperation(
          app,
          runnableOperation('GET /v1.0/users?$top=5', [tenant]),
        );
        const operation = (await runOperation(app, id, 30)).json();
        expect(operation.result.tenantExceptions[0].exception).toContain(
          'returned an @odata.nextLink that is not on the Graph endpoint; it was not followed',
        );
        expect(simulator.calls.some((call) => call.path.includes('meta-data'))).toBe(false);
        const urls = (await httpRequestsOf(app, id)).map((c) => c.request.url);
        expect(urls.every((url) => url.startsWith(`${simulator.url}/v1.0/`))).toBe(true);
      } finally {
        simulator.faultsOf(tenant).foreignNextLink = false;
      }
    });
  });

  describe('secrets', () => {
    it('keeps the dapAccessToken and the tokens derived from it out of the database, the responses and the log', async () => {
      const body = runnableOperation('GET /v1.0/users?$top=40', tenants.slice(0, 4), {
        logLevel: 'full',
      });
      const dap = (body.credentials as { dapAccessToken: string }).dapAccessToken;
      const id = await createOperation(app, body);
      const issuedBefore = simulator.issuedTokens.length;
      const answer = await runOperation(app, id, 30);
      const derived = simulator.issuedTokens.slice(issuedBefore);
      expect(derived).toHaveLength(4);
      // The simulator saw the dapAccessToken as the assertion: it was sent, and only there.
      expect(simulator.tokenRequests.some((form) => form.assertion === dap)).toBe(true);
      const responses = [
        answer.body,
        (await app.get(`${ENTITY_SET}/${id}?$expand=results,httpRequests`)).body,
        JSON.stringify(await httpRequestsOf(app, id)),
      ].join('\n');
      const stored = ON_POSTGRES
        ? await storedRowsText(app, [
            'managed_tenant_operations',
            'managed_tenant_operation_results',
            'managed_tenant_operation_http_requests',
            'operation_runs',
            'operation_run_tenants',
          ])
        : [app.databasePath, `${app.databasePath}-wal`]
            .filter(existsSync)
            .map((file) => readFileSync(file).toString('latin1'))
            .join('\n');
      const logged = log.lines.join('');
      expect(stored).toContain(id);
      for (const secret of [dap, ...derived, 'test-client-secret']) {
        expect(stored.includes(secret)).toBe(false);
        expect(responses.includes(secret)).toBe(false);
        expect(logged.includes(secret)).toBe(false);
      }
    });
  });
});

describe('without ENTRA_CLIENT_ID', () => {
  it('sends the dapAccessToken itself to every tenant', async () => {
    const simulator = await startSimulator({ tenants: 2 });
    const env = engineEnv(simulator);
    delete env.ENTRA_CLIENT_ID;
    delete env.ENTRA_CLIENT_SECRET;
    const app = await TestApp.start(env);
    try {
      const body = runnableOperation('GET /v1.0/groups', simulator.customerTenantIds);
      const id = await createOperation(app, body);
      expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
      const dap = (body.credentials as { dapAccessToken: string }).dapAccessToken;
      expect(simulator.tokenRequests).toEqual([]);
      expect(simulator.calls.map((call) => call.headers.authorization)).toEqual([
        `Bearer ${dap}`,
        `Bearer ${dap}`,
      ]);
    } finally {
      await app.dispose();
      await simulator.close();
    }
  });
});
