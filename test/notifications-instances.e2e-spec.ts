import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  finished,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { newOperation } from './support/operation-factory';
import { describeOnPostgres } from './support/test-database';
import { TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const NOTIFICATIONS_ENV = {
  NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
  NOTIFICATION_RETRY_BASE_MS: '100',
  NOTIFICATION_POLL_MS: '50',
};

async function subscribe(
  app: TestApp,
  receiver: WebhookReceiver,
  resource: string,
  changeType: string,
): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/beta/subscriptions',
    payload: {
      changeType,
      resource,
      notificationUrl: receiver.url(),
      expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(created.statusCode).toBe(201);
  return created.json().id;
}

/** Notifications of the engine's writes, and of several instances. */
// Waits for deliveries, retries and expiries: more than Jest's default 5 s on a loaded machine.
jest.setTimeout(30_000);

describe('change notifications of the engine', () => {
  let simulator: RunningSimulator;
  let receiver: WebhookReceiver;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 3 });
    receiver = await WebhookReceiver.start();
    app = await TestApp.start(engineEnv(simulator, NOTIFICATIONS_ENV));
  });
  afterAll(async () => {
    await app.dispose();
    await receiver.close();
    await simulator.close();
  });

  it("notifies the status changes the engine makes, matched against the subscription's $filter", async () => {
    await subscribe(
      app,
      receiver,
      "managedTenantOperations?$filter=status eq 'succeeded'",
      'updated',
    );
    const id = await createOperation(
      app,
      runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
    );
    await new Promise((done) => setTimeout(done, 300));
    // Not succeeded yet: nothing.
    expect(receiver.notifications()).toEqual([]);
    expect((await runOperation(app, id)).statusCode).toBe(202);
    expect((await finished(app, id)).status).toBe('succeeded');
    await receiver.waitFor(() => receiver.notifications().length > 0);
    const [notification] = receiver.notifications();
    expect(notification).toMatchObject({
      changeType: 'updated',
      resource: `managedTenantOperations/${id}`,
      resourceData: { id },
    });
  });
});

describeOnPostgres('two instances on one PostgreSQL database', () => {
  let receiver: WebhookReceiver;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    first = await TestApp.start(NOTIFICATIONS_ENV);
    second = await first.restartOnSameDatabase(NOTIFICATIONS_ENV);
  });
  afterAll(async () => {
    await second.stop();
    await first.dispose();
    await receiver.close();
  });

  it('share the outbox: every change is notified, and once', async () => {
    const subscriptionId = await subscribe(first, receiver, 'managedTenantOperations', 'created');
    const ids: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const app = index % 2 === 0 ? first : second;
      const created = await app.post(newOperation({ name: `shared ${index}` }));
      expect(created.statusCode).toBe(201);
      ids.push(created.json().id);
    }
    await receiver.waitFor(() =>
      ids.every((id) => receiver.notifications().some((n) => n.resourceData.id === id)),
    );
    // A moment more, for a second copy to arrive if one were on its way.
    await new Promise((done) => setTimeout(done, 500));
    const notifications = receiver.notifications();
    expect(notifications.every((n) => n.subscriptionId === subscriptionId)).toBe(true);
    expect(notifications.map((n) => n.resourceData.id).sort()).toEqual([...ids].sort());
    expect(new Set(notifications.map((n) => n.id)).size).toBe(notifications.length);
  });
});
