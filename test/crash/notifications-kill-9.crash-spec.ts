import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { newOperation } from '../support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from '../support/processes';
import { tokenFor } from '../support/test-app';
import { dropPostgresSchema, freshPostgresEnv, ON_POSTGRES } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * `npm run test:crash` (and on PostgreSQL with TEST_DATABASE_URL): writes that got their 2xx are
 * notified even when the process is killed with SIGKILL between the write and the delivery; the
 * notifications are in the database (the outbox), so the restarted process sends them.
 */
describe('kill -9 between a write and its notification', () => {
  jest.setTimeout(120_000);
  let receiver: WebhookReceiver;
  let folder: string;
  let databaseEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    folder = mkdtempSync(join(tmpdir(), 'mto-notify-crash-'));
    databaseEnv = ON_POSTGRES ? await freshPostgresEnv() : {};
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(folder, { recursive: true, force: true });
    await dropPostgresSchema(databaseEnv);
  });

  it('delivers every acknowledged change after a restart', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PORT: String(port),
      DATABASE_PATH: join(folder, 'db.sqlite'),
      ...databaseEnv,
      NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
      NOTIFICATION_RETRY_BASE_MS: '100',
    };
    const authorization = `Bearer ${await tokenFor(loadConfig(env), {})}`;
    const api = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}/beta/${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization, 'content-type': 'application/json' },
      });

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
