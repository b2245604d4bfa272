import { metricReaching } from './support/metrics';
import { randomUUID } from 'node:crypto';
import { NotificationStore } from '../src/database/stores/notification.store';
import { newOperation } from './support/operation-factory';
import { newRecord, RESULTS } from './support/record-factory';
import { queryStored } from './support/stored-rows';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';
import { noteSecret } from './support/run-log';

// A clientState is the receivers' secret: the run's log scan (log-scan.e2e-spec.ts) looks for them.
for (const clientState of ['secret state', 'check me', 'lifecycle state']) noteSecret(clientState);

const SUBSCRIPTIONS = '/beta/subscriptions';
const APPLICATION = '0b6a0c2e-5a3b-4f4e-9d1c-7e2f8a9b0c1d';
type Row = Record<string, any>;

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** Change notifications through webhook subscriptions. */
// Waits for deliveries, retries and expiries: more than Jest's default 5 s on a loaded machine.
jest.setTimeout(30_000);

describe('subscriptions and change notifications', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  const env = {
    NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
    NOTIFICATION_RETRY_BASE_MS: '100',
    NOTIFICATION_POLL_MS: '50',
    NOTIFICATION_TIMEOUT_MS: '1000',
    NOTIFICATION_MAX_PER_POST: '5',
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await TestApp.start(env);
  });
  afterAll(async () => {
    await app.dispose();
    await receiver.close();
  });
  beforeEach(() => receiver.reset());

  const subscribe = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: SUBSCRIPTIONS,
      payload: {
        changeType: 'created,updated,deleted',
        notificationUrl: receiver.url(),
        resource: 'managedTenantOperations',
        expirationDateTime: inMinutes(60),
        ...body,
      },
      headers,
    });
  const subscribed = async (body: Record<string, unknown> = {}) => {
    const created = await subscribe(body);
    expect(created.statusCode).toBe(201);
    return created.json() as Row;
  };
  const createOperation = async (overrides: Record<string, unknown> = {}) => {
    const created = await app.post(newOperation(overrides));
    expect(created.statusCode).toBe(201);
    return created.json() as Row;
  };
  const ofEntity = (id: string) => () =>
    receiver.notifications().filter((n) => n.resourceData.id === id);

  it('is in $metadata as Graph’s subscription, its set serving no query options', async () => {
    const xml = (await app.anonymous({ method: 'GET', url: '/beta/$metadata' })).body;
    expect(xml).toContain('<EntityType Name="subscription" OpenType="false">');
    expect(xml).toMatch(
      /<EntitySet Name="subscriptions" EntityType="microsoft.graph.subscription">[^]*?Capabilities.FilterRestrictions[^]*?<PropertyValue Property="Filterable" Bool="false"\/>/,
    );
    const json = (
      await app.anonymous({ method: 'GET', url: '/beta/$metadata?$format=json' })
    ).json();
    expect(json['microsoft.graph'].subscription.clientState).toMatchObject({ $MaxLength: 128 });
    expect(json['microsoft.graph'].GraphService.subscriptions['@Capabilities.TopSupported']).toBe(
      false,
    );
    const openApi = (await app.anonymous({ method: 'GET', url: '/docs-json' })).json();
    expect(Object.keys(openApi.paths['/beta/subscriptions'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(openApi.paths['/beta/subscriptions/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
  });

  describe('create, read, renew, delete', () => {
    it('creates a subscription after the validation request, as Graph shows it', async () => {
      const token = await app.token({ applicationId: APPLICATION });
      const created = await subscribe(
        { clientState: 'secret state', lifecycleNotificationUrl: receiver.url('/lifecycle') },
        { authorization: `Bearer ${token}` },
      );
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(created.headers.location).toMatch(
        new RegExp(`/beta/subscriptions\\('${body.id}'\\)$`),
      );
      expect(body).toMatchObject({
        '@odata.context': expect.stringMatching(/\$metadata#subscriptions\/\$entity$/),
        '@odata.type': '#microsoft.graph.subscription',
        resource: 'managedTenantOperations',
        changeType: 'created,updated,deleted',
        notificationUrl: receiver.url(),
        lifecycleNotificationUrl: receiver.url('/lifecycle'),
        latestSupportedTlsVersion: 'v1_2',
        creatorId: TEST_USER,
        applicationId: APPLICATION,
      });
      expect(body).not.toHaveProperty('clientState');
      expect(JSON.stringify(body)).not.toContain('secret state');
      expect(receiver.validations.map((v) => v.path).sort()).toEqual([
        '/lifecycle',
        '/notifications',
      ]);
      expect(receiver.validations[0].query.get('validationToken')).toBeTruthy();
      const read = await app.get(`${SUBSCRIPTIONS}/${body.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().id).toBe(body.id);
      expect((await app.get(`${SUBSCRIPTIONS}?$filter=resource eq 'x'`)).statusCode).toBe(400);
      const list = (await app.get(SUBSCRIPTIONS)).json();
      expect(list.value.map((s: Row) => s.id)).toContain(body.id);
      const stored = await queryStored(
        app,
        'SELECT "clientState" FROM "subscriptions" WHERE "id" = ?',
        [body.id],
      );
      expect(String(stored[0].clientState)).not.toContain('secret state');
    });

    it('refuses the create with what the endpoint answered when the validation fails', async () => {
      const cases: Array<[WebhookReceiver['validation'], RegExp]> = [
        ['notFound', /answered 404/],
        ['wrongBody', /not with the validationToken/],
        ['html', /Content-Type 'text\/html'/],
      ];
      for (const [validation, message] of cases) {
        receiver.validation = validation;
        const refused = await subscribe({});
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error.message).toMatch(message);
      }
      const unreachable = await subscribe({ notificationUrl: 'http://127.0.0.1:9/hook' });
      expect(unreachable.statusCode).toBe(400);
      expect(unreachable.json().error.message).toMatch(/could not be reached/);
    });

    it('refuses a receiver that does not answer the validation within 10 seconds', async () => {
      receiver.validation = { hang: 11_000 };
      const refused = await subscribe({});
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(/no answer within 10 seconds/);
    }, 20_000);

    it('validates every property', async () => {
      const other = (
        await app.post(
          newOperation({ partnerTenantId: randomUUID(), partnerUserId: randomUUID() }),
          {
            authorization: `Bearer ${await app.token({ tenantId: randomUUID() })}`,
          },
        )
      ).json();
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ expirationDateTime: inMinutes(4_231) }, /at most 4230 minutes/],
        [{ expirationDateTime: inMinutes(-1) }, /in the future/],
        [{ expirationDateTime: 'tomorrow' }, /expirationDateTime/],
        [{ clientState: 'x'.repeat(129) }, /clientState/],
        [{ changeType: 'created,renamed' }, /changeType/],
        [{ changeType: 'created,created' }, /twice/],
        [{ resource: 'users' }, /not an entity set/],
        [{ resource: 'managedTenantOperations?$filter=status eq' }, /\$filter/],
        [
          { resource: "managedTenantOperations?$filter=credentials/dapAccessToken eq 'x'" },
          /dapAccessToken|credentials/,
        ],
        [{ resource: 'managedTenantOperations?$top=1' }, /\$top/],
        [
          { resource: `managedTenantOperations/${randomUUID()}` },
          /names no managedTenantOperation/,
        ],
        [{ resource: `managedTenantOperations/${other.id ?? randomUUID()}` }, /names no/],
        [{ latestSupportedTlsVersion: 'v2' }, /latestSupportedTlsVersion/],
        [{ notificationUrl: undefined }, /notificationUrl/],
        [{ unknownProperty: 1 }, /unknownProperty/],
      ];
      for (const [body, message] of cases) {
        const refused = await subscribe(body);
        expect({ body, status: refused.statusCode }).toEqual({ body, status: 400 });
        expect(refused.json().error.message).toMatch(message);
      }
    });

    it('refuses internal and non-https addresses (SSRF)', async () => {
      const cases: Array<[string, RegExp]> = [
        ['http://example.com/hook', /must be an https URL/],
        ['https://169.254.169.254/latest/meta-data', /private, loopback or link-local/],
        ['https://[::1]/hook', /private, loopback or link-local/],
        ['https://10.0.0.1/hook', /private, loopback or link-local/],
        ['https://192.168.1.1/hook', /private, loopback or link-local/],
        ['https://[::ffff:127.0.0.1]/hook', /private, loopback or link-local/],
        ['https://localhost/hook', /resolves to .*(127\.0\.0\.1|::1)/],
        [`http://localhost:${new URL(receiver.url()).port}/notifications`, /must be an https URL/],
        ['https://user:password@webhook.example.com/hook', /credentials/],
        ['not a url', /not an absolute URL/],
      ];
      for (const [url, message] of cases) {
        for (const property of ['notificationUrl', 'lifecycleNotificationUrl']) {
          const refused = await subscribe({ [property]: url });
          expect({ url, property, status: refused.statusCode }).toEqual({
            url,
            property,
            status: 400,
          });
          expect(refused.json().error.message).toMatch(message);
          expect(refused.json().error.message).toContain(property);
        }
      }
      expect(receiver.validations).toEqual([]);
    });

    it('renews by PATCH, validates a new URL, refuses other changes, and deletes', async () => {
      const created = await subscribed();
      const later = inMinutes(120);
      const renewed = await app.patch(`${SUBSCRIPTIONS}/${created.id}`, {
        expirationDateTime: later,
      });
      expect(renewed.statusCode).toBe(200);
      expect(Date.parse(renewed.json().expirationDateTime)).toBe(Date.parse(later));
      expect(
        Date.parse((await app.get(`${SUBSCRIPTIONS}/${created.id}`)).json().expirationDateTime),
      ).toBe(Date.parse(later));
      expect(
        (
          await app.patch(`${SUBSCRIPTIONS}/${created.id}`, {
            expirationDateTime: inMinutes(5_000),
          })
        ).statusCode,
      ).toBe(400);
      const resource = await app.patch(`${SUBSCRIPTIONS}/${created.id}`, { resource: RESULTS });
      expect(resource.statusCode).toBe(400);
      expect(resource.json().error.message).toMatch(/resource cannot be changed/);
      receiver.validations.length = 0;
      receiver.validation = 'notFound';
      const moved = await app.patch(`${SUBSCRIPTIONS}/${created.id}`, {
        notificationUrl: receiver.url('/moved'),
      });
      expect(moved.statusCode).toBe(400);
      expect(receiver.validations.map((v) => v.path)).toEqual(['/moved']);
      receiver.validation = 'echo';
      const movedNow = await app.patch(`${SUBSCRIPTIONS}/${created.id}`, {
        notificationUrl: receiver.url('/moved'),
      });
      expect(movedNow.statusCode).toBe(200);
      expect(movedNow.json().notificationUrl).toBe(receiver.url('/moved'));
      expect((await app.delete(`${SUBSCRIPTIONS}/${created.id}`)).statusCode).toBe(204);
      expect((await app.get(`${SUBSCRIPTIONS}/${created.id}`)).statusCode).toBe(404);
      expect((await app.delete(`${SUBSCRIPTIONS}/${created.id}`)).statusCode).toBe(404);
    });

    it("shows a tenant only its own subscriptions, and needs the entity sets' scopes", async () => {
      const created = await subscribed();
      const stranger = { authorization: `Bearer ${await app.token({ tenantId: randomUUID() })}` };
      expect((await app.get(`${SUBSCRIPTIONS}/${created.id}`, stranger)).statusCode).toBe(404);
      expect((await app.get(SUBSCRIPTIONS, stranger)).json().value).toEqual([]);
      expect(
        (
          await app.patch(
            `${SUBSCRIPTIONS}/${created.id}`,
            { expirationDateTime: inMinutes(9) },
            stranger,
          )
        ).statusCode,
      ).toBe(404);
      expect((await app.delete(`${SUBSCRIPTIONS}/${created.id}`, stranger)).statusCode).toBe(404);
      const reader = {
        authorization: `Bearer ${await app.token({ scopes: ['ManagedTenants.Read.All'] })}`,
      };
      expect((await app.get(`${SUBSCRIPTIONS}/${created.id}`, reader)).statusCode).toBe(200);
      expect((await subscribe({}, reader)).statusCode).toBe(403);
      expect((await app.anonymous({ method: 'GET', url: SUBSCRIPTIONS })).statusCode).toBe(401);
      await app.delete(`${SUBSCRIPTIONS}/${created.id}`);
    });
  });

  describe('delivery', () => {
    let subscription: Row;
    beforeAll(async () => {
      // Only this subscription sends to /notifications while these run.
      for (const { id } of (await app.get(SUBSCRIPTIONS)).json().value) {
        await app.delete(`${SUBSCRIPTIONS}/${id}`);
      }
      subscription = await subscribed({ clientState: 'check me' });
    });
    afterAll(() => app.delete(`${SUBSCRIPTIONS}/${subscription.id}`));

    it('delivers created, updated and deleted in Graph’s shape, with clientState and tenantId', async () => {
      const operation = await createOperation();
      const patched = (
        await app.patch(`${ENTITY_SET}/${operation.id}`, { name: 'renamed' })
      ).json();
      expect((await app.delete(`${ENTITY_SET}/${operation.id}`)).statusCode).toBe(204);
      await receiver.waitFor(() => ofEntity(operation.id)().length >= 3);
      const [created, updated, deleted] = ofEntity(operation.id)();
      expect(created).toEqual({
        id: expect.any(String),
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        changeType: 'created',
        resource: `managedTenantOperations/${operation.id}`,
        tenantId: TEST_TENANT,
        clientState: 'check me',
        resourceData: {
          '@odata.type': '#microsoft.management.services.api.managedTenantOperation',
          '@odata.id': `managedTenantOperations/${operation.id}`,
          '@odata.etag': operation['@odata.etag'],
          id: operation.id,
        },
      });
      expect(updated.changeType).toBe('updated');
      expect(updated.resourceData['@odata.etag']).toBe(patched['@odata.etag']);
      expect(deleted.changeType).toBe('deleted');
      expect(deleted.resourceData).not.toHaveProperty('@odata.etag');
      expect(receiver.posts.every((post) => post.path === '/notifications')).toBe(true);
      expect(
        await metricReaching(app, 'mto_notifications_total', { outcome: 'delivered' }, 3),
      ).toBeGreaterThanOrEqual(3);
      expect(
        await metricReaching(app, 'mto_notification_delivery_lag_seconds_count', {}, 3),
      ).toBeGreaterThanOrEqual(3);
    });

    it('sends several notifications per POST when they queue up, at most NOTIFICATION_MAX_PER_POST', async () => {
      receiver.answers = [{ hang: 600 }];
      const first = await createOperation();
      await receiver.waitFor(() => receiver.posts.length >= 1);
      const ids: string[] = [];
      for (let index = 0; index < 12; index += 1) ids.push((await createOperation()).id);
      await receiver.waitFor(() => ids.every((id) => ofEntity(id)().length > 0));
      expect(ofEntity(first.id)()).toHaveLength(1);
      const sizes = receiver.posts.map((post) => post.body.value.length);
      expect(Math.max(...sizes)).toBe(5);
      expect(sizes.every((size) => size <= 5)).toBe(true);
    });

    it('retries after 500s and after time-outs', async () => {
      receiver.answers = [500, 503, { hang: 2_000 }];
      const operation = await createOperation();
      await receiver.waitFor(() => receiver.posts.length >= 4);
      expect(
        receiver.posts
          .slice(0, 4)
          .every((post) => post.body.value[0].resourceData.id === operation.id),
      ).toBe(true);
      const gaps = receiver.posts
        .slice(1, 3)
        .map((post, index) => post.at - receiver.posts[index].at);
      expect(gaps.every((gap) => gap >= 40)).toBe(true);
      expect(
        await metricReaching(app, 'mto_notifications_total', { outcome: 'retried' }, 3),
      ).toBeGreaterThanOrEqual(3);
      expect(
        await metricReaching(
          app,
          'mto_outbound_calls_total',
          {
            upstream: 'webhook',
            status_class: '5xx',
          },
          2,
        ),
      ).toBeGreaterThanOrEqual(2);
    });

    it('delivers only what matches the resource: a $filter, one entity, a navigation', async () => {
      const watched = await createOperation();
      const filtered = await subscribed({
        resource: "managedTenantOperations?$filter=status eq 'succeeded'",
        notificationUrl: receiver.url('/filtered'),
        changeType: 'created',
      });
      const single = await subscribed({
        resource: `managedTenantOperations/${watched.id}`,
        notificationUrl: receiver.url('/single'),
        changeType: 'updated',
      });
      const nested = await subscribed({
        resource: `managedTenantOperations('${watched.id}')/results`,
        notificationUrl: receiver.url('/nested'),
        changeType: 'created',
      });
      const succeeded = await createOperation({ status: 'succeeded' });
      await createOperation({ status: 'running' });
      await app.patch(`${ENTITY_SET}/${watched.id}`, { name: 'watched' });
      await app.patch(`${ENTITY_SET}/${succeeded.id}`, { name: 'not watched' });
      const result = (
        await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(watched.id) })
      ).json();
      await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(succeeded.id) });
      await receiver.waitFor(
        () =>
          receiver.notifications('/nested').length > 0 &&
          receiver.notifications('/single').length > 0 &&
          receiver.notifications('/filtered').length > 0,
      );
      // Whatever else comes, it comes within the next steps.
      await new Promise((done) => setTimeout(done, 500));
      expect(receiver.notifications('/filtered').map((n) => n.resourceData.id)).toEqual([
        succeeded.id,
      ]);
      expect(
        receiver.notifications('/single').map((n) => [n.changeType, n.resourceData.id]),
      ).toEqual([['updated', watched.id]]);
      expect(receiver.notifications('/nested').map((n) => n.resourceData)).toEqual([
        expect.objectContaining({
          '@odata.type': '#microsoft.graph.managedTenantOperationResult',
          id: result.id,
        }),
      ]);
      for (const { id } of [filtered, single, nested]) await app.delete(`${SUBSCRIPTIONS}/${id}`);
    });

    it("delivers only changes of the subscription's tenant", async () => {
      const tenant = randomUUID();
      const user = randomUUID();
      const headers = {
        authorization: `Bearer ${await app.token({ tenantId: tenant, userId: user })}`,
      };
      const foreign = (
        await app.post(newOperation({ partnerTenantId: tenant, partnerUserId: user }), headers)
      ).json();
      const own = await createOperation();
      await receiver.waitFor(() => ofEntity(own.id)().length > 0);
      await new Promise((done) => setTimeout(done, 300));
      expect(ofEntity(foreign.id)()).toEqual([]);
      expect(receiver.notifications().every((n) => n.tenantId === TEST_TENANT)).toBe(true);
    });

    it('marks the changes of a tenant that subscribes to nothing done without fanning them out', async () => {
      const tenant = randomUUID();
      const user = randomUUID();
      const headers = {
        authorization: `Bearer ${await app.token({ tenantId: tenant, userId: user })}`,
      };
      // The real store, watched: how many pending changes its bulk skip marked done. (On
      // PostgreSQL a change committed between a step's skip and its read is read and matched
      // instead, to no notification: so a few tries.)
      const store = app.app.get(NotificationStore);
      const skip = store.skipUnsubscribedChanges.bind(store);
      let skipped = 0;
      store.skipUnsubscribedChanges = async (limit) => {
        const count = await skip(limit);
        skipped += count;
        return count;
      };
      const pending = async (id: string) =>
        (
          await queryStored(app, 'SELECT "pending" FROM "entity_changes" WHERE "entityId" = ?', [
            id,
          ])
        ).filter((row) => row.pending === 1 || row.pending === true);
      try {
        const foreignIds: string[] = [];
        for (let attempt = 0; attempt < 5 && skipped === 0; attempt += 1) {
          const foreign = (
            await app.post(newOperation({ partnerTenantId: tenant, partnerUserId: user }), headers)
          ).json();
          foreignIds.push(foreign.id);
          for (let tries = 0; (await pending(foreign.id)).length > 0 && tries < 100; tries += 1) {
            await new Promise((done) => setTimeout(done, 50));
          }
          expect(await pending(foreign.id)).toEqual([]);
        }
        expect(skipped).toBeGreaterThan(0);
        const own = await createOperation();
        await receiver.waitFor(() => ofEntity(own.id)().length > 0);
        for (const id of foreignIds) expect(ofEntity(id)()).toEqual([]);
      } finally {
        store.skipUnsubscribedChanges = skip;
      }
    });

    it('does not let a slow receiver delay the others', async () => {
      const slowUrl = receiver.url('/slow');
      const slow = await subscribed({ notificationUrl: slowUrl, changeType: 'created' });
      // Every POST to /slow hangs past the time-out; /notifications answers at once.
      receiver.answerOf.set('/slow', { hang: 5_000 });
      await createOperation();
      await receiver.waitFor(() => receiver.posts.some((post) => post.path === '/slow'));
      const slowPost = receiver.posts.find((post) => post.path === '/slow')!;
      // Made while the slow receiver holds its POST: the other receiver gets it at once.
      const operation = await createOperation();
      await receiver.waitFor(
        () => ofEntity(operation.id)().some((n) => n.subscriptionId === subscription.id),
        5_000,
      );
      const fastArrived = receiver.posts.find(
        (post) =>
          post.path === '/notifications' &&
          post.body.value.some((n: Row) => n.resourceData.id === operation.id),
      )!.at;
      // Before the slow POST ended (the sender gives up on it after NOTIFICATION_TIMEOUT_MS).
      await receiver.waitFor(() => slowPost.endedAt !== undefined, 5_000, 'the slow POST to end');
      expect(fastArrived).toBeLessThan(slowPost.endedAt!);
      await app.delete(`${SUBSCRIPTIONS}/${slow.id}`);
    });
  });
});

describe('notifications given up on, expiry, lifecycle notifications', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await TestApp.start({
      NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
      NOTIFICATION_RETRY_BASE_MS: '100',
      NOTIFICATION_POLL_MS: '50',
      NOTIFICATION_RETRY_HOURS: '0.0003', // about a second
      SUBSCRIPTION_GRACE_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await app.dispose();
    await receiver.close();
  });

  const subscribe = async (body: Record<string, unknown>) => {
    const created = await app.inject({
      method: 'POST',
      url: SUBSCRIPTIONS,
      payload: {
        changeType: 'created',
        notificationUrl: receiver.url(),
        lifecycleNotificationUrl: receiver.url('/lifecycle'),
        resource: 'managedTenantOperations',
        clientState: 'lifecycle state',
        ...body,
      },
    });
    expect(created.statusCode).toBe(201);
    return created.json() as Row;
  };

  it('drops notifications not acknowledged within the retry period and sends missed', async () => {
    const subscription = await subscribe({ expirationDateTime: inMinutes(60) });
    receiver.answers = Array.from({ length: 100 }, () => 500);
    await app.post(newOperation());
    await receiver.waitFor(() => receiver.notifications('/lifecycle').length > 0);
    expect(receiver.notifications('/lifecycle')).toEqual([
      {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        tenantId: TEST_TENANT,
        clientState: 'lifecycle state',
        lifecycleEvent: 'missed',
      },
    ]);
    expect(receiver.posts.filter((post) => post.path === '/notifications').length).toBeGreaterThan(
      1,
    );
    const [stored] = await queryStored(
      app,
      'SELECT "dropped" FROM "subscriptions" WHERE "id" = ?',
      [subscription.id],
    );
    expect(Number(stored.dropped)).toBe(1);
    expect(await metricReaching(app, 'mto_notifications_total', { outcome: 'dropped' }, 1)).toBe(1);
    receiver.answers = [];
    await app.delete(`${SUBSCRIPTIONS}/${subscription.id}`);
  });

  it('removes an expired subscription with subscriptionRemoved, stops delivering, then forgets it', async () => {
    receiver.posts.length = 0;
    const expiration = new Date(Date.now() + 1_500).toISOString();
    const subscription = await subscribe({ expirationDateTime: expiration });
    await receiver.waitFor(
      () => receiver.notifications('/lifecycle').some((n) => n.subscriptionId === subscription.id),
      10_000,
    );
    expect(receiver.notifications('/lifecycle')).toEqual([
      expect.objectContaining({
        subscriptionId: subscription.id,
        lifecycleEvent: 'subscriptionRemoved',
      }),
    ]);
    expect((await app.get(`${SUBSCRIPTIONS}/${subscription.id}`)).statusCode).toBe(404);
    await app.post(newOperation());
    const remaining = async () =>
      queryStored(app, 'SELECT "id" FROM "subscriptions" WHERE "id" = ?', [subscription.id]);
    const deadline = Date.now() + 10_000;
    while ((await remaining()).length > 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(await remaining()).toEqual([]);
    expect(
      receiver.notifications('/notifications').filter((n) => n.subscriptionId === subscription.id),
    ).toEqual([]);
  });
});
