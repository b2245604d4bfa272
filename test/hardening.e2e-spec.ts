import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { dropOperationsTable } from './support/test-database';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { fullOperation } from './support/operation-factory';
import { recordingDestination } from './support/recording-destination';
import { runLogDestination } from './support/run-log';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('hardening', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  it('sends security headers fit for a JSON API, and no X-Powered-By', async () => {
    const response = await app.get(ENTITY_SET);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-powered-by']).toBeUndefined();
    const unauthenticated = await app.anonymous({ method: 'GET', url: '/beta/$metadata' });
    expect(unauthenticated.headers['cache-control']).toBeUndefined();
    expect(unauthenticated.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives Swagger UI a content security policy that lets it run', async () => {
    const page = await app.anonymous({ method: 'GET', url: '/docs' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain("'unsafe-eval'");
  });

  it('has CORS off unless CORS_ORIGINS lists origins', async () => {
    const preflight = {
      method: 'OPTIONS' as const,
      url: ENTITY_SET,
      headers: { origin: 'https://app.contoso.test', 'access-control-request-method': 'GET' },
    };
    const off = await app.anonymous(preflight);
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
    const withCors = await TestApp.start({ CORS_ORIGINS: 'https://app.contoso.test' });
    try {
      const on = await withCors.anonymous(preflight);
      expect(on.headers['access-control-allow-origin']).toBe('https://app.contoso.test');
      const other = await withCors.anonymous({
        ...preflight,
        headers: { ...preflight.headers, origin: 'https://evil.test' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.dispose();
    }
  });

  it('answers a URL over 8 KiB with 414', async () => {
    const response = await app.get(`${ENTITY_SET}?$filter=${'a'.repeat(9000)}`);
    expect(response.statusCode).toBe(414);
    expect(response.json().error.code).toBe('uriTooLong');
  });

  it('answers JSON nested deeper than 32 levels with 400', async () => {
    let nested: unknown = 'x';
    for (let i = 0; i < 40; i += 1) nested = { a: nested };
    const response = await app.post(fullOperation({ deep: nested }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('nested deeper than 32');
  });

  it('refuses the character U+0000 anywhere (PostgreSQL cannot store it) with 400, on both databases', async () => {
    for (const response of [
      await app.post(fullOperation({ name: 'a\u0000b' })),
      await app.post(fullOperation({ ticket: { ['x\u0000']: 1 } })),
      await app.get(`${ENTITY_SET}?$search=%00`),
      await app.get(`${ENTITY_SET}?$filter=name%20eq%20'%00'`),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('U+0000');
    }
    // An escaped backslash followed by u0000 is six ordinary characters.
    expect((await app.post(fullOperation({ name: 'a\\u0000b' }))).statusCode).toBe(201);
  });

  it('answers headers over the limit with 431 and a Graph error body', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-431-'));
    const server: NestFastifyApplication = await createApp(
      loadConfig({ DATABASE_PATH: join(folder, 'db.sqlite') }),
      { logDestination: runLogDestination() },
    );
    await server.listen(0, '127.0.0.1');
    try {
      const { port } = new URL(await server.getUrl());
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
        socket.write(`GET /beta HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 431/);
      expect(JSON.parse(raw.split('\r\n\r\n')[1]).error.code).toBe('requestHeaderFieldsTooLarge');
    } finally {
      await server.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('request logs', () => {
  it('are JSON lines from pino: one per request with request-id, client-request-id, tenant, user, method, route, status and duration, and no token, credential or body', async () => {
    const { destination, lines } = recordingDestination();
    const app = await TestApp.start({}, { logDestination: destination });
    try {
      const secret = `dap-${Date.now()}-secret`;
      const created = await app.post(
        fullOperation({ credentials: { dapAccessToken: secret }, name: 'body-marker' }),
        { 'client-request-id': 'corr-1' },
      );
      const read = await app.get(`${ENTITY_SET}/${created.json().id}`);
      await app.get(`${ENTITY_SET}?$filter=name%20eq%20'query-marker'`);
      await app.anonymous({
        method: 'GET',
        url: ENTITY_SET,
        headers: { authorization: 'Bearer not-a-token' },
      });
      const entries = lines.map((line) => JSON.parse(line));
      const completed = entries.filter((entry) => entry.msg === 'request completed');
      expect(completed).toHaveLength(4); // one per request
      expect(completed.find((entry) => entry.method === 'POST')).toMatchObject({
        level: 'info',
        requestId: created.headers['request-id'],
        clientRequestId: 'corr-1',
        tenant: created.json().partnerTenantId,
        user: created.json().partnerUserId,
        method: 'POST',
        route: '/beta/managedTenantOperations',
        path: ENTITY_SET,
        status: 201,
      });
      expect(
        completed.find((entry) => entry.requestId === read.headers['request-id']),
      ).toMatchObject({ route: '/beta/managedTenantOperations/:id', status: 200 });
      const refused = completed.find((entry) => entry.status === 401);
      expect(refused).not.toHaveProperty('tenant');
      // What is logged while a request is handled carries its requestId.
      expect(
        entries.find((entry) => entry.level === 'warn' && entry.requestId === refused.requestId),
      ).toMatchObject({ context: 'Auth', msg: expect.stringContaining('401 for GET') });
      for (const entry of completed) {
        expect(typeof entry.durationMs).toBe('number');
        expect(typeof entry.time).toBe('string');
      }
      const everything = lines.join('\n');
      for (const forbidden of [
        secret,
        app.defaultToken,
        'not-a-token',
        'body-marker',
        'query-marker',
      ]) {
        expect(everything).not.toContain(forbidden);
      }
    } finally {
      await app.dispose();
    }
  });

  it('log an unexpected error once, with its stack, at error level; the client sees only the request-id', async () => {
    const { destination, lines } = recordingDestination();
    const app = await TestApp.start({}, { logDestination: destination });
    try {
      await dropOperationsTable(app.app.get(DataSource));
      const failed = await app.get(`${ENTITY_SET}?$top=1`);
      expect(failed.statusCode).toBe(500);
      expect(failed.body).not.toMatch(/at .+\.(ts|js):\d+/);
      const requestId = failed.headers['request-id'];
      const errors = lines
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.level === 'error' && entry.requestId === requestId);
      expect(errors).toHaveLength(1);
      expect(errors[0].err.stack).toMatch(/no such table|does not exist/);
      expect(errors[0].msg).toBe('GET /beta/managedTenantOperations failed');
    } finally {
      await app.dispose();
    }
  });
});
