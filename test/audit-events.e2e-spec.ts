import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { engineEnv, runnableOperation, startSimulator } from './support/engine';
import { newRecord, RESULTS } from './support/record-factory';
import { noteSecret } from './support/run-log';
import { daily, eventually, MONDAY } from './support/schedules';
import { ShiftedClock } from './support/shifted-clock';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const AUDIT = '/beta/auditEvents';
const GROUPS = '/beta/tenantGroups';
const TENANTS = '/beta/tenants';
const OTHER_PARTNER = '0f1e2d3c-4b5a-4968-8776-655443322110';
const DAP = 'audit-dap-token-0123456789abcdefghij';
const REFRESH = 'audit-refresh-token-0123456789abcdefghij';
const PATCHED_DAP = 'audit-patched-dap-0123456789abcdefghij';
const DYNAMIC_JWT =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdWRpdC10ZXN0LXN1YmplY3QifQ.c2lnbmF0dXJlLW9mLWEtdG9rZW4';
const SECRETS = [DAP, REFRESH, PATCHED_DAP, DYNAMIC_JWT];
for (const secret of SECRETS) noteSecret(secret);

/** Who did what: one event per write, run, cancel, schedule firing and refresh, secrets redacted. */
describe('auditEvents', () => {
  let simulator: RunningSimulator;
  let clock: ShiftedClock;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 3, usersPerTenant: 1 });
    clock = new ShiftedClock(MONDAY);
    app = await TestApp.start(
      engineEnv(simulator, { DIRECTORY_POLL_MS: '100', SCHEDULES_POLL_MS: '50' }),
      { clock },
    );
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const events = async (query = ''): Promise<Array<Record<string, any>>> => {
    const response = await app.get(`${AUDIT}?$top=999&$orderby=activityDateTime${query}`);
    expect(response.statusCode).toBe(200);
    return response.json().value;
  };

  it('records every kind of write with who, from where, the tenants and their names, and never a secret', async () => {
    const [a, b] = simulator.customerTenantIds;
    // The directory first, so that events can name tenants.
    const refreshed = await app.inject({
      method: 'POST',
      url: `${TENANTS}/refresh`,
      payload: { credentials: { dapAccessToken: DAP, refreshToken: REFRESH } },
      headers: { 'client-request-id': 'audit-refresh-1' },
    });
    expect(refreshed.statusCode).toBe(202);
    await eventually(
      async () => (await app.get(TENANTS)).json().value.length,
      (count) => count === 3,
    );
    const created = await app.post({
      ...runnableOperation('GET /v1.0/organization', [a, b]),
      credentials: { dapAccessToken: DAP },
      apiKey: DYNAMIC_JWT,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(
      (await app.patch(`${ENTITY_SET}/${id}`, { credentials: { dapAccessToken: PATCHED_DAP } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `${ENTITY_SET}/${id}/run`,
          headers: { prefer: 'wait=30' },
        })
      ).json().status,
    ).toBe('succeeded');
    const group = await app.inject({
      method: 'POST',
      url: GROUPS,
      payload: { displayName: 'Pilot', tenantIds: [a] },
    });
    expect(group.statusCode).toBe(201);
    expect((await app.patch(`${TENANTS}/${a}`, { tags: ['gold'] })).statusCode).toBe(200);
    expect((await app.delete(`${GROUPS}/${group.json().id}`)).statusCode).toBe(204);
    const result = await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) });
    expect(result.statusCode).toBe(201);
    simulator.setLatency(500);
    try {
      await app.inject({ method: 'POST', url: `${ENTITY_SET}/${id}/run` });
      expect(
        (await app.inject({ method: 'POST', url: `${ENTITY_SET}/${id}/cancel` })).statusCode,
      ).toBe(202);
    } finally {
      simulator.setLatency(0);
    }
    expect((await app.delete(`${ENTITY_SET}/${id}`)).statusCode).toBe(204);

    const recorded = await events();
    expect(recorded.map((event) => event.activity)).toEqual([
      'tenants.refresh',
      'managedTenantOperations.create',
      'managedTenantOperations.update',
      'managedTenantOperations.run',
      'tenantGroups.create',
      'tenants.update',
      'tenantGroups.delete',
      'managedTenantOperationResults.create',
      'managedTenantOperations.run',
      'managedTenantOperations.cancel',
      'managedTenantOperations.delete',
    ]);
    const [refresh, create, , run] = recorded;
    expect(refresh).toMatchObject({
      category: 'tenants',
      activityId: 'audit-refresh-1',
      httpVerb: 'POST',
      requestUrl: '/beta/tenants/refresh',
      initiatedByUserId: TEST_USER,
      partnerTenantId: TEST_TENANT,
      ipAddress: expect.any(String),
    });
    expect(JSON.parse(refresh.requestBody)).toEqual({
      credentials: { dapAccessToken: '[redacted]', refreshToken: '[redacted]' },
    });
    expect(create).toMatchObject({
      httpVerb: 'POST',
      requestUrl: ENTITY_SET,
      tenantIds: `${a},${b}`,
      tenantNames: 'Customer 1,Customer 2',
    });
    expect(JSON.parse(create.requestBody)).toMatchObject({
      name: expect.any(String),
      credentials: { dapAccessToken: '[redacted]' },
    });
    expect(run).toMatchObject({ httpVerb: 'POST', requestUrl: `${ENTITY_SET}/${id}/run` });

    // The whole log, scanned for every secret the test sent.
    const text = JSON.stringify(recorded);
    for (const secret of SECRETS) expect(text).not.toContain(secret);

    // Read-only, filterable, the partner's own.
    expect(
      (await events(`&$filter=activity eq 'tenants.update'`)).map((e) => e.tenantNames),
    ).toEqual(['Customer 1']);
    expect((await app.inject({ method: 'POST', url: AUDIT, payload: {} })).statusCode).toBe(405);
    expect((await app.delete(`${AUDIT}/${create.id}`)).statusCode).toBe(405);
    const other = await app.token({ tenantId: OTHER_PARTNER });
    const theirs = await app.inject({
      method: 'GET',
      url: AUDIT,
      headers: { authorization: `Bearer ${other}` },
    });
    expect(theirs.json().value).toEqual([]);
  });

  it('records a schedule firing, by no user', async () => {
    const [a] = simulator.customerTenantIds;
    const created = await app.post({
      ...runnableOperation('GET /v1.0/organization', [a]),
      schedule: daily('2027-01-01', '12:00'),
    });
    expect(created.statusCode).toBe(201);
    const slot = created.json().schedule.nextRunDateTime as string;
    clock.set(Date.parse(slot) - 200);
    const fired = await eventually(
      () => events(`&$filter=activity eq 'managedTenantOperations.scheduledRun'`),
      (found) => found.length === 1,
    );
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ initiatedByUserId: null, httpVerb: null, tenantIds: a });
    expect(JSON.parse(fired[0].requestBody)).toMatchObject({ scheduledDateTime: slot });
  });
});

describe('auditEvents: retention', () => {
  it('forgets events older than AUDIT_RETENTION_DAYS', async () => {
    const app = await TestApp.start({ AUDIT_RETENTION_DAYS: String(1 / 86_400) });
    try {
      const group = await app.inject({
        method: 'POST',
        url: GROUPS,
        payload: { displayName: 'Short-lived' },
      });
      expect(group.statusCode).toBe(201);
      const count = async () => (await app.get(AUDIT)).json().value.length as number;
      expect(await count()).toBe(1);
      expect(await eventually(count, (n) => n === 0, 10_000)).toBe(0);
    } finally {
      await app.dispose();
    }
  }, 20_000);
});

describe('auditEvents: subscriptions', () => {
  const CLIENT_STATE = 'audit-client-state-0123456789';
  noteSecret(CLIENT_STATE);

  it('records a subscription’s create, renewal and delete, its clientState redacted', async () => {
    const receiver = await WebhookReceiver.start();
    const app = await TestApp.start({ NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1' });
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/beta/subscriptions',
        payload: {
          changeType: 'created',
          notificationUrl: receiver.url(),
          resource: 'managedTenantOperations',
          expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
          clientState: CLIENT_STATE,
        },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().id;
      const renewed = await app.patch(`/beta/subscriptions/${id}`, {
        expirationDateTime: new Date(Date.now() + 7_200_000).toISOString(),
      });
      expect(renewed.statusCode).toBe(200);
      expect((await app.delete(`/beta/subscriptions/${id}`)).statusCode).toBe(204);
      const recorded = (await app.get(`${AUDIT}?$orderby=activityDateTime`)).json().value as Array<
        Record<string, any>
      >;
      expect(recorded.map((event) => event.activity)).toEqual([
        'subscriptions.create',
        'subscriptions.update',
        'subscriptions.delete',
      ]);
      expect(JSON.parse(recorded[0].requestBody).clientState).toBe('[redacted]');
      expect(JSON.stringify(recorded)).not.toContain(CLIENT_STATE);
    } finally {
      await app.dispose();
      await receiver.close();
    }
  }, 20_000);
});
