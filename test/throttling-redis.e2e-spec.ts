import { randomUUID } from 'node:crypto';
import { connect, createServer, Server, Socket } from 'node:net';
import { createDevelopmentKey } from '../src/auth/development-issuer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServiceProcess } from './support/processes';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * With REDIS_URL, every instance spends one budget per tenant. Runs where TEST_REDIS_URL names a
 * Redis server (.ci/run sets it to the machine's, 127.0.0.1:6379); `npm test` elsewhere skips it.
 */
const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const describeWithRedis = TEST_REDIS_URL ? describe : describe.skip;

describeWithRedis('throttling shared through Redis', () => {
  it('gives N instances one budget per tenant, not N', async () => {
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      THROTTLE_LIMIT: '6',
      THROTTLE_WINDOW_SECONDS: '60',
      // Both instances trust the same tokens, as instances behind one proxy do.
      DEVELOPMENT_ISSUER_KEY: await createDevelopmentKey(),
    };
    const [first, second] = await Promise.all([TestApp.start(env), TestApp.start(env)]);
    try {
      const tenantId = randomUUID();
      const headers = { authorization: `Bearer ${await first.token({ tenantId })}` };
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        statuses.push((await (i % 2 ? second : first).get(ENTITY_SET, headers)).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
      const throttled = await second.get(ENTITY_SET, headers);
      expect(throttled.json().error.code).toBe('TooManyRequests');
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Another tenant is not touched by it, on either instance.
      const other = { authorization: `Bearer ${await first.token({ tenantId: randomUUID() })}` };
      expect((await first.get(ENTITY_SET, other)).statusCode).toBe(200);
      expect((await second.get(ENTITY_SET, other)).statusCode).toBe(200);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });

  it('lets requests through when Redis stops answering, rather than failing the API', async () => {
    // A loopback proxy in front of the machine's Redis, which the test can cut.
    const upstream = new URL(TEST_REDIS_URL!);
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const server = connect(Number(upstream.port || 6379), upstream.hostname);
      for (const socket of [client, server]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(server).pipe(client);
    });
    const port = await freePort();
    await new Promise<void>((done) => proxy.listen(port, '127.0.0.1', done));
    const app = await TestApp.start({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      THROTTLE_LIMIT: '2',
      THROTTLE_WINDOW_SECONDS: '60',
    });
    try {
      const headers = { authorization: `Bearer ${await app.token({ tenantId: randomUUID() })}` };
      const counted = [];
      for (let i = 0; i < 3; i += 1) counted.push((await app.get(ENTITY_SET, headers)).statusCode);
      expect(counted).toEqual([200, 200, 429]);
      await new Promise<void>((done) => {
        proxy.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      const unthrottled = [];
      for (let i = 0; i < 3; i += 1) {
        unthrottled.push((await app.get(ENTITY_SET, headers)).statusCode);
      }
      expect(unthrottled).toEqual([200, 200, 200]);
    } finally {
      await app.dispose();
    }
  });
});

describe('REDIS_URL that cannot be reached', () => {
  it('stops the service from starting, with a message that names REDIS_URL and not the URL', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-redis-down-'));
    try {
      const port = await freePort();
      const failed = await startServiceProcess({
        PORT: String(await freePort()),
        DATABASE_PATH: join(folder, 'db.sqlite'),
        REDIS_URL: `redis://:secret-password@127.0.0.1:${port}`,
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/REDIS_URL: cannot reach Redis for throttling/);
      expect(failed).not.toContain('secret-password');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
