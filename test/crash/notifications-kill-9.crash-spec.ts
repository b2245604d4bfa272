import { serviceApi, useCrashDatabase } from '../support/crash-database';
import { newOperation } from '../support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from '../support/processes';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * `npm run test:crash` (and on PostgreSQL with TEST_DATABASE_URL): writes that got their 2xx are
 * notified even when the process is killed with SIGKILL between the write and the delivery; the
 * notifications are in the database (the outbox), so the restarted process sends them.
 */
describe('kill -9 between a write and its notification', () => {
  jest.setTimeout(120_000);
  const database = useCrashDatabase('notify');
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('delivers every acknowledged change after a restart', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PORT: String(port),
      ...database.env(),
      NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
      NOTIFICATION_RETRY_BASE_MS: '100',
    };
    const request = await serviceApi(env, `http://127.0.0.1:${port}/beta/`);
    const api = (path: string, body: unknown) =>
      request(path, { method: 'POST', body: JSON.stringify(body) });

    let service: ServiceProcess = await startServiceProcess(env);
    try {
      const subscribed = await api('subscriptions', {
        changeType: 'created',
        resource: 'managedTenantOperations',
        notificationUrl: receiver.url(),
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect(subscribed.status).toBe(201);
      // Until the kill, the receiver refuses every notification: none is delivered before it.
      receiver.answers = Array.from({ length: 1_000 }, () => 503);
      const ids: string[] = [];
      for (let index = 0; index < 10; index += 1) {
        const created = await api(
          'managedTenantOperations',
          newOperation({ name: `crash ${index}` }),
        );
        expect(created.status).toBe(201);
        ids.push(((await created.json()) as { id: string }).id);
      }
      service.child.kill('SIGKILL');
      await service.exited;
      expect(receiver.acknowledged()).toEqual([]);
      receiver.answers = [];

      service = await startServiceProcess(env);
      await receiver.waitFor(
        () => ids.every((id) => receiver.acknowledged().some((n) => n.resourceData.id === id)),
        60_000,
      );
      expect(new Set(receiver.acknowledged().map((n) => n.resourceData.id))).toEqual(new Set(ids));
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});
