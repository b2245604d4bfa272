/**
 * Change notifications: `npm run bench:notifications [-- --writes 5000
 * --connections 50 --spaced 200]`, and the last part of `npm run bench`.
 *
 * Starts the service (production build, SQLite file, loopback) and a webhook receiver on
 * loopback, subscribes to every created operation, then
 * - under load: creates `--writes` operations from `--connections` clients at once, and reports
 *   the notifications delivered per second (from the first write to the last arrival) and the
 *   latency from each write's 2xx to its notification's arrival (p50, p99);
 * - unloaded: `--spaced` creates one after another, 20 ms apart, and the same latencies.
 * Not a test: the figures depend on the machine; NOTIFICATION_POLL_MS (default 100) bounds the
 * latency from below.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/app-config';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';
import { argument, startBenchService, stopProcess } from './service-process';
import { benchToken } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');

export interface NotificationFigures {
  readonly writes: number;
  readonly delivered: number;
  readonly perSecond: number;
  /** How fast the creates were acknowledged: the most notifications can keep up with. */
  readonly writesPerSecond: number;
  readonly loaded: { readonly p50: number; readonly p99: number };
  readonly unloaded: { readonly p50: number; readonly p99: number };
  readonly posts: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function benchNotifications(options: {
  writes: number;
  connections: number;
  spaced: number;
  build: boolean;
}): Promise<NotificationFigures> {
  if (options.build) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-bench-notify-'));
  const arrivals = new Map<string, number>();
  let posts = 0;
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = new URL(request.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token !== null) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        return;
      }
      const now = performance.now();
      posts += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        value: Array<{ resourceData: { id: string } }>;
      };
      for (const notification of body.value) {
        if (!arrivals.has(notification.resourceData.id)) {
          arrivals.set(notification.resourceData.id, now);
        }
      }
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notifications`;
  const databasePath = join(folder, 'service.sqlite');
  const { child: service, port } = await startBenchService({
    DATABASE_PATH: databasePath,
    NOTIFICATION_ALLOWED_HTTP_HOSTS: '127.0.0.1',
  });
  try {
    const token = await benchToken(loadConfig({ DATABASE_PATH: databasePath }));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = `http://127.0.0.1:${port}/beta`;
    const subscribed = await fetch(`${base}/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        changeType: 'created',
        resource: 'managedTenantOperations',
        notificationUrl: receiverUrl,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    if (subscribed.status !== 201) throw new Error(`subscribe: ${subscribed.status}`);

    const acknowledged = new Map<string, number>();
    const create = async (index: number) => {
      const response = await fetch(`${base}/managedTenantOperations`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          ...seedExampleRequest,
          requestId: crypto.randomUUID(),
          name: `n${index}`,
        }),
      });
      const at = performance.now();
      if (response.status !== 201) throw new Error(`create: ${response.status}`);
      acknowledged.set(((await response.json()) as { id: string }).id, at);
    };
    const waitForAll = async (ids: string[]) => {
      const deadline = Date.now() + 120_000;
      while (!ids.every((id) => arrivals.has(id))) {
        if (Date.now() > deadline) throw new Error('notifications did not all arrive');
        await new Promise((done) => setTimeout(done, 20));
      }
    };
    const latencies = (ids: string[]) => ids.map((id) => arrivals.get(id)! - acknowledged.get(id)!);

    // Under load.
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (next < options.writes) await create(next++);
      }),
    );
    const writesDone = performance.now();
    const loadedIds = [...acknowledged.keys()];
    await waitForAll(loadedIds);
    const lastArrival = Math.max(...loadedIds.map((id) => arrivals.get(id)!));
    const loaded = latencies(loadedIds);
    const loadedPosts = posts;

    // Unloaded: one write at a time.
    acknowledged.clear();
    for (let index = 0; index < options.spaced; index += 1) {
      await create(index);
      await new Promise((done) => setTimeout(done, 20));
    }
    const spacedIds = [...acknowledged.keys()];
    await waitForAll(spacedIds);
    const unloaded = latencies(spacedIds);
    return {
      writes: options.writes,
      delivered: loadedIds.length,
      perSecond: loadedIds.length / ((lastArrival - started) / 1000),
      writesPerSecond: loadedIds.length / ((writesDone - started) / 1000),
      loaded: { p50: percentile(loaded, 50), p99: percentile(loaded, 99) },
      unloaded: { p50: percentile(unloaded, 50), p99: percentile(unloaded, 99) },
      posts: loadedPosts,
    };
  } finally {
    await stopProcess(service);
    await new Promise((done) => receiver.close(done));
    rmSync(folder, { recursive: true, force: true });
  }
}

export function printNotificationFigures(figures: NotificationFigures): void {
  console.log(
    `\nChange notifications: ${figures.writes} creates from many clients at once, one subscription, a receiver on loopback\n`,
  );
  console.log('| | writes/s | notifications/s | latency p50 ms | latency p99 ms | POSTs |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(
    `| under load | ${figures.writesPerSecond.toFixed(0)} | ${figures.perSecond.toFixed(0)} | ${figures.loaded.p50.toFixed(0)} | ${figures.loaded.p99.toFixed(0)} | ${figures.posts} |`,
  );
  console.log(
    `| one write at a time | | | ${figures.unloaded.p50.toFixed(0)} | ${figures.unloaded.p99.toFixed(0)} | |`,
  );
}

if (require.main === module) {
  benchNotifications({
    writes: argument('writes', 5_000),
    connections: argument('connections', 50),
    spaced: argument('spaced', 200),
    build: true,
  })
    .then(printNotificationFigures)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
