import { randomUUID } from 'node:crypto';
import { TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SUBSCRIPTIONS = '/beta/subscriptions';
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

jest.setTimeout(60_000);

/** Subscriptions are bounded per tenant, listed in pages, and keep what the service decides. */
describe('subscription limits', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await TestApp.start({
      NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
      SUBSCRIPTION_MAX_PER_TENANT: '105',
    });
  });
  afterAll(async () => {
    await app.dispose();
    await receiver.close();
  });

  const subscribe = (token?: string) =>
    app.inject({
      method: 'POST',
      url: SUBSCRIPTIONS,
      payload: {
        changeType: 'created',
        notificationUrl: receiver.url(),
        resource: 'managedTenantOperations',
        expirationDateTime: inMinutes(60),
      },
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('refuses a subscription past SUBSCRIPTION_MAX_PER_TENANT, and pages the list with @odata.nextLink', async () => {
    const created: string[] = [];
    for (let index = 0; index < 105; index += 1) {
      const response = await subscribe();
      expect(response.statusCode).toBe(201);
      created.push(response.json().id);
    }
    const refused = await subscribe();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'subscriptionLimitReached',
      message: expect.stringContaining('Your tenant has 105 subscriptions, the most it may have'),
    });
    // Another tenant's subscriptions are its own.
    expect((await subscribe(await app.token({ tenantId: randomUUID() }))).statusCode).toBe(201);

    const first = await app.get(SUBSCRIPTIONS);
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.value).toHaveLength(100);
    expect(page1['@odata.nextLink']).toMatch(/^subscriptions\?\$skiptoken=/);
    const page2 = (await app.get(`/beta/${page1['@odata.nextLink']}`)).json();
    expect(page2.value).toHaveLength(5);
    expect(page2['@odata.nextLink']).toBeUndefined();
    expect([...page1.value, ...page2.value].map((s: { id: string }) => s.id).sort()).toEqual(
      [...created].sort(),
    );
    const bad = await app.get(`${SUBSCRIPTIONS}?$skiptoken=not-ours`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('follow @odata.nextLink as it is');

    // Deleting one makes room for one.
    expect((await app.delete(`${SUBSCRIPTIONS}/${created[0]}`)).statusCode).toBe(204);
    expect((await subscribe()).statusCode).toBe(201);
  });

  it.each(['id', 'creatorId', 'applicationId'])(
    'refuses a PATCH of %s with a 400',
    async (name) => {
      const [existing] = (await app.get(SUBSCRIPTIONS)).json().value as Array<{ id: string }>;
      const response = await app.patch(`${SUBSCRIPTIONS}/${existing.id}`, {
        [name]: randomUUID(),
        expirationDateTime: inMinutes(90),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toBe(
        `A subscription's ${name} cannot be changed (only expirationDateTime, notificationUrl, lifecycleNotificationUrl); delete it and create another.`,
      );
      const after = (await app.get(`${SUBSCRIPTIONS}/${existing.id}`)).json();
      expect(after.id).toBe(existing.id);
    },
  );
});
