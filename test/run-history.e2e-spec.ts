import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  finished,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const OTHER_TENANT = '0f1e2d3c-4b5a-4968-8776-655443322110';

/** A nextLink or deltaLink as a path for app.get. */
const pathOf = (link: string) =>
  link.startsWith('http') ? new URL(link).pathname + new URL(link).search : `/beta/${link}`;

/**
 * The history of runs (`…/{id}/runs`, contained in the operation), end to end against the Graph
 * stand-in, on the database the e2e run uses (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 */
describe('the runs of an operation', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let a: string;
  let b: string;
  let id: string;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 3, usersPerTenant: 2 });
    [a, b] = simulator.customerTenantIds;
    app = await TestApp.start(engineEnv(simulator));
    // Run 1 fails in b; run 2 runs b again and succeeds.
    simulator.faultsOf(b).forbidden = true;
    id = await createOperation(app, runnableOperation('GET /v1.0/organization', [a, b]));
    expect((await runOperation(app, id, 30)).json().status).toBe('failed');
    simulator.faultsOf(b).forbidden = false;
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const runs = (query = '') => app.get(`${ENTITY_SET}/${id}/runs${query}`);

  it('lists every run newest first, each saying how it started and ended', async () => {
    const response = await runs();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body['@odata.context']).toMatch(
      new RegExp(`/\\$metadata#managedTenantOperations\\('${id}'\\)/runs$`),
    );
    expect(body.value).toHaveLength(2);
    const [second, first] = body.value;
    expect(first).toMatchObject({
      '@odata.type': '#microsoft.graph.managedTenantOperationRun',
      runNumber: 1,
      managedTenantOperationId: id,
      trigger: 'manual',
      tenantScope: 'allTargets',
      status: 'failed',
      scheduledDateTime: null,
      initiatedByUserId: TEST_USER,
      tenantCount: 2,
      succeededTenantCount: 1,
      failedTenantCount: 1,
      notRunTenantCount: 0,
      callCount: 2,
    });
    expect(first.executionInfo).toMatch(
      /^Run 1 failed; 2 tenants: 1 succeeded, 1 failed; 2 calls;/,
    );
    expect(second).toMatchObject({
      runNumber: 2,
      tenantScope: 'notSucceeded',
      status: 'succeeded',
      tenantCount: 1,
      succeededTenantCount: 1,
      failedTenantCount: 0,
      callCount: 1,
    });
    for (const run of body.value) {
      expect(Date.parse(run.finishedDateTime)).toBeGreaterThanOrEqual(
        Date.parse(run.startedDateTime),
      );
    }
    expect(Date.parse(second.startedDateTime)).toBeGreaterThanOrEqual(
      Date.parse(first.finishedDateTime),
    );
  });

  it('reads one run by its number, as a segment or a key predicate, with its ETag', async () => {
    for (const url of [
      `${ENTITY_SET}/${id}/runs/2`,
      `${ENTITY_SET}('${id}')/runs(2)`,
      `${ENTITY_SET}('${id}')/runs(runNumber=2)`,
    ]) {
      const response = await app.get(url);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ runNumber: 2, status: 'succeeded' });
      expect(response.json()['@odata.context']).toMatch(/\/runs\/\$entity$/);
      expect(response.headers.etag).toBe(response.json()['@odata.etag']);
    }
    const full = await app.get(`${ENTITY_SET}/${id}/runs/1`, {
      accept: 'application/json;odata.metadata=full',
    });
    expect(full.json()['@odata.id']).toMatch(
      new RegExp(`/beta/managedTenantOperations\\('${id}'\\)/runs\\(1\\)$`),
    );
  });

  it('takes the query options of a collection', async () => {
    const failed = await runs(`?$filter=status eq 'failed'&$select=runNumber,status`);
    expect(failed.statusCode).toBe(200);
    expect(failed.json().value).toEqual([
      expect.objectContaining({ runNumber: 1, status: 'failed' }),
    ]);
    expect(Object.keys(failed.json().value[0]).sort()).toEqual([
      '@odata.etag',
      '@odata.type',
      'runNumber',
      'status',
    ]);
    const oldestFirst = await app.get(`${ENTITY_SET}/${id}/runs?$orderby=runNumber&$count=true`, {
      prefer: 'odata.maxpagesize=1',
    });
    expect(oldestFirst.json()['@odata.count']).toBe(2);
    expect(oldestFirst.json().value.map((run: { runNumber: number }) => run.runNumber)).toEqual([
      1,
    ]);
    const next = await app.get(pathOf(oldestFirst.json()['@odata.nextLink']));
    expect(next.json().value.map((run: { runNumber: number }) => run.runNumber)).toEqual([2]);
    expect((await runs('/$count?$filter=callCount gt 1')).body).toBe('1');
    const badMember = await runs(`?$filter=status eq 'sleeping'`);
    expect(badMember.statusCode).toBe(400);
    expect(badMember.json().error.message).toMatch(/sleeping/);
  });

  it('holds the rows each run wrote: runs/{n}/results and runs/{n}/httpRequests', async () => {
    const first = await runs('/1/results?$select=targetTenantId,isSuccess,runNumber');
    expect(first.statusCode).toBe(200);
    const outcomes = first
      .json()
      .value.map(
        (row: Record<string, unknown>) =>
          `${row.runNumber} ${row.targetTenantId === a ? 'a' : 'b'} ${row.isSuccess}`,
      )
      .sort();
    expect(outcomes).toEqual(['1 a true', '1 b false']);
    const second = await app.get(`${ENTITY_SET}('${id}')/runs(2)/results`);
    expect(second.json().value).toMatchObject([{ targetTenantId: b, isSuccess: true }]);
    expect((await runs('/1/httpRequests/$count')).body).toBe('2');
    const calls = await runs('/2/httpRequests?$filter=statusCode eq 200');
    expect(calls.json().value).toMatchObject([{ targetTenantId: b, runNumber: 2 }]);
    expect((await runs('/1/results?$filter=isSuccess eq false&$count=true')).json()).toMatchObject({
      '@odata.count': 1,
    });
    expect((await runs('/7/results')).statusCode).toBe(404);
  });

  it('answers 404 for a run that is not there, 400 for a key that is no number, and refuses writes', async () => {
    const missing = await runs('/9');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('itemNotFound');
    const notANumber = await runs('/first');
    expect(notANumber.statusCode).toBe(400);
    expect(notANumber.json().error.message).toMatch(/Int32/);
    const created = await app.inject({
      method: 'POST',
      url: `${ENTITY_SET}/${id}/runs`,
      payload: { runNumber: 3 },
    });
    expect(created.statusCode).toBe(405);
    const deleted = await app.delete(`${ENTITY_SET}/${id}/runs/1`);
    expect(deleted.statusCode).toBe(405);
    expect((await runs()).json().value).toHaveLength(2);
  });

  it("are the partner's own: another tenant's caller finds no such operation", async () => {
    const token = await app.token({ tenantId: OTHER_TENANT });
    expect(OTHER_TENANT).not.toBe(TEST_TENANT);
    for (const path of ['/runs', '/runs/1', '/runs/1/results']) {
      const response = await app.get(`${ENTITY_SET}/${id}${path}`, {
        authorization: `Bearer ${token}`,
      });
      expect(response.statusCode).toBe(404);
    }
  });

  it('expands with the operation, and filters operations by their runs', async () => {
    const expanded = await app.get(
      `${ENTITY_SET}/${id}?$select=id&$expand=runs($select=runNumber,status;$orderby=runNumber)`,
    );
    expect(expanded.statusCode).toBe(200);
    expect(expanded.json().runs).toMatchObject([
      { runNumber: 1, status: 'failed' },
      { runNumber: 2, status: 'succeeded' },
    ]);
    const withFailedRun = await app.get(
      `${ENTITY_SET}?$filter=runs/any(r: r/status eq 'failed')&$select=id`,
    );
    expect(withFailedRun.json().value.map((operation: { id: string }) => operation.id)).toContain(
      id,
    );
  });

  it('follows new runs and their changes with delta, and goes with its operation', async () => {
    const initial = await runs('/delta');
    expect(initial.statusCode).toBe(200);
    expect(initial.json()['@odata.context']).toMatch(
      new RegExp(`#managedTenantOperations\\('${id}'\\)/runs/\\$delta$`),
    );
    expect(initial.json().value).toHaveLength(2);
    const deltaLink = pathOf(initial.json()['@odata.deltaLink']);
    // A third run: every tenant succeeded last, so it runs them all again.
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const changes = await app.get(deltaLink);
    expect(changes.json().value).toMatchObject([
      { runNumber: 3, tenantScope: 'allTargets', status: 'succeeded', tenantCount: 2 },
    ]);

    const other = await createOperation(app, runnableOperation('GET /v1.0/organization', [a]));
    await runOperation(app, other, 30);
    await finished(app, other);
    expect((await app.get(`${ENTITY_SET}/${other}/runs/$count`)).body).toBe('1');
    expect((await app.delete(`${ENTITY_SET}/${other}`)).statusCode).toBe(204);
    expect((await app.get(`${ENTITY_SET}/${other}/runs`)).statusCode).toBe(404);
  });

  it('a cancelled run says so', async () => {
    simulator.setLatency(300);
    try {
      const slow = await createOperation(
        app,
        runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
      );
      expect((await runOperation(app, slow)).statusCode).toBe(202);
      const running = await app.get(`${ENTITY_SET}/${slow}/runs/1`);
      expect(running.json()).toMatchObject({ status: 'running', finishedDateTime: null });
      expect((await runOperation(app, slow, undefined, 'cancel')).statusCode).toBe(202);
      await finished(app, slow);
      const cancelled = await app.get(`${ENTITY_SET}/${slow}/runs/1`);
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', tenantCount: 3 });
      expect(cancelled.json().finishedDateTime).not.toBeNull();
    } finally {
      simulator.setLatency(0);
    }
  });

  it('are in $metadata as a contained type (no entity set of their own) and in OpenAPI', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toMatch(
      /<EntityType Name="managedTenantOperationRun" OpenType="false">\s*<Key><PropertyRef Name="runNumber"\/><\/Key>/,
    );
    expect(xml).toContain('<Property Name="runNumber" Type="Edm.Int32" Nullable="false"');
    expect(xml).toContain(
      '<Property Name="status" Type="microsoft.graph.managedTenantOperationRunStatus" Nullable="false"',
    );
    expect(xml).toContain('<EnumType Name="managedTenantOperationRunTrigger">');
    expect(xml).toMatch(
      /<NavigationProperty Name="runs" Type="Collection\(microsoft.graph.managedTenantOperationRun\)" Partner="managedTenantOperation" ContainsTarget="true"/,
    );
    expect(xml).not.toContain('EntitySet Name="managedTenantOperationRuns"');
    expect(xml).not.toContain('NavigationPropertyBinding Path="runs"');
    const json = (await app.get('/beta/$metadata?$format=json')).json();
    expect(json['microsoft.graph'].managedTenantOperationRun.$Key).toEqual(['runNumber']);
    const service = (await app.get('/beta/')).json();
    expect(service.value.map((set: { name: string }) => set.name)).not.toContain(
      'managedTenantOperationRuns',
    );

    const openApi = (await app.inject({ method: 'GET', url: '/docs-json' })).json();
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining([
        '/beta/managedTenantOperations/{id}/runs',
        '/beta/managedTenantOperations/{id}/runs/{itemId}',
        '/beta/managedTenantOperations/{id}/runs/{key}/results',
        '/beta/managedTenantOperations/{id}/runs/{key}/httpRequests',
      ]),
    );
    expect(openApi.paths['/beta/managedTenantOperations/{id}/runs'].post).toBeUndefined();
    expect(JSON.stringify(openApi.components.schemas)).toContain('managedTenantOperationRun');
  });
});

describe('the history of runs is bounded (RUN_HISTORY_LIMIT)', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    app = await TestApp.start(engineEnv(simulator, { RUN_HISTORY_LIMIT: '2' }));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  it('keeps the last runs; older ones go with their rows, and delta reports the deletions', async () => {
    const [a, b] = simulator.customerTenantIds;
    const id = await createOperation(app, runnableOperation('GET /v1.0/organization', [a, b]));
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const rowsDelta = await app.get(`${ENTITY_SET}/${id}/results/delta`);
    const runsDelta = await app.get(`${ENTITY_SET}/${id}/runs/delta`);
    const firstResults: string[] = rowsDelta.json().value.map((row: { id: string }) => row.id);
    expect(firstResults).toHaveLength(2);
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    expect((await runs()).map((run) => run.runNumber)).toEqual([2, 1]);

    // The third run is beyond the bound of 2: run 1 goes, with its results and calls.
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    expect((await runs()).map((run) => run.runNumber)).toEqual([3, 2]);
    expect((await app.get(`${ENTITY_SET}/${id}/runs/1`)).statusCode).toBe(404);
    expect((await app.get(`${ENTITY_SET}/${id}/runs/1/results`)).statusCode).toBe(404);
    const left = await app.get(`${ENTITY_SET}/${id}/results?$select=runNumber&$orderby=runNumber`);
    expect(left.json().value.map((row: { runNumber: number }) => row.runNumber)).toEqual([
      2, 2, 3, 3,
    ]);
    expect((await app.get(`/beta/managedTenantOperationHttpRequests/$count`)).body).toBe('4');
    // The operation's own aggregate is that of its last run.
    const operation = (await app.get(`${ENTITY_SET}/${id}`)).json();
    expect(operation.result.result).toHaveLength(2);

    const removed = (await app.get(fromDeltaLink(rowsDelta))).json().value;
    expect(
      removed
        .filter((row: Record<string, unknown>) => row['@removed'])
        .map((row: { id: string }) => row.id)
        .sort(),
    ).toEqual([...firstResults].sort());
    const runChanges = (await app.get(fromDeltaLink(runsDelta))).json().value;
    expect(runChanges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ runNumber: 1, '@removed': { reason: 'deleted' } }),
        expect.objectContaining({ runNumber: 3, status: 'succeeded' }),
      ]),
    );

    async function runs(): Promise<Array<{ runNumber: number }>> {
      return (await app.get(`${ENTITY_SET}/${id}/runs?$select=runNumber`)).json().value;
    }
  });
});

function fromDeltaLink(response: { json(): Record<string, string> }): string {
  return pathOf(response.json()['@odata.deltaLink']);
}

describe('following runs without polling (change notifications)', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 1, usersPerTenant: 1 });
    receiver = await WebhookReceiver.start();
    app = await TestApp.start(
      engineEnv(simulator, {
        NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
        NOTIFICATION_POLL_MS: '50',
      }),
    );
  });
  afterAll(async () => {
    await app?.dispose();
    await receiver?.close();
    await simulator?.close();
  });

  it("delivers created and updated runs of …/{id}/runs, and the operation's own as before", async () => {
    const id = await createOperation(
      app,
      runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
    );
    const subscribe = async (resource: string, path: string) => {
      const created = await app.inject({
        method: 'POST',
        url: '/beta/subscriptions',
        payload: {
          changeType: 'created,updated',
          notificationUrl: receiver.url(path),
          resource,
          expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      expect(created.statusCode).toBe(201);
    };
    await subscribe(`managedTenantOperations/${id}/runs`, '/runs');
    await subscribe(`managedTenantOperations/${id}/runs?$filter=runNumber eq 2`, '/second');
    await subscribe(`managedTenantOperations/${id}`, '/operation');

    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const at = (path: string) =>
      receiver.posts.filter((post) => post.path === path).flatMap((post) => post.body.value);
    await receiver.waitFor(
      () =>
        at('/runs').filter((n) => n.changeType === 'updated' && n.resourceData.runNumber === 2)
          .length > 0 && at('/second').length >= 2,
    );

    const runNotifications = at('/runs');
    const created = runNotifications.find(
      (n) => n.changeType === 'created' && n.resourceData.runNumber === 1,
    );
    expect(created).toMatchObject({
      resource: `managedTenantOperations/${id}/runs/1`,
      tenantId: TEST_TENANT,
      resourceData: {
        '@odata.type': '#microsoft.graph.managedTenantOperationRun',
        '@odata.id': `managedTenantOperations/${id}/runs/1`,
        runNumber: 1,
      },
    });
    expect(new Set(runNotifications.map((n) => n.changeType))).toEqual(
      new Set(['created', 'updated']),
    );
    expect(at('/second').every((n) => n.resourceData.runNumber === 2)).toBe(true);
    // The operation's own subscription hears of the operation only, as it did.
    await receiver.waitFor(() => at('/operation').length > 0);
    expect(at('/operation').every((n) => n.resource === `managedTenantOperations/${id}`)).toBe(
      true,
    );
  });
});
