import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDevelopmentKey } from '../src/auth/development-issuer';
import { loadConfig } from '../src/config/app-config';
import { newOperation } from './support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { appendToRunLog } from './support/run-log';
import { tokenFor } from './support/test-app';

const ROOT = resolve(__dirname, '..');

async function stopService(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGTERM');
  await service.exited;
}

describe('starting the service', () => {
  jest.setTimeout(120_000);
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'mto-start-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('serves on HOST:PORT with ./data/managed-tenant-operations.sqlite created by migrations, in WAL mode', async () => {
    const port = await freePort();
    const service = await startServiceProcess(
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_PATH: '',
      },
      folder,
    );
    try {
      // A start says what it is, where its data is and where it serves in a handful of lines: no
      // line per module or route.
      const startLines = service
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const messages = startLines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.length).toBeLessThanOrEqual(9);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^managed-tenant-operations \d+\.\d+\.\d+ on Node v\d+/),
          expect.stringMatching(/^Database: SQLite .*managed-tenant-operations\.sqlite$/),
          expect.stringMatching(/^Engine: on, 32 tenants at a time/),
          expect.stringMatching(/^Notifications: on/),
          expect.stringMatching(/^Metrics: \/metrics on the API port \(open\); traces off/),
          expect.stringMatching(/^Development mode/),
          expect.stringMatching(/^Serving http:\/\/127\.0\.0\.1:\d+\/beta/),
        ]),
      );
      expect(
        messages.filter((message) => /^Mapped \{|dependencies initialized/.test(message)),
      ).toEqual([]);
      const databasePath = join(folder, 'data', 'managed-tenant-operations.sqlite');
      const token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
      const created = await fetch(`http://127.0.0.1:${port}/beta/managedTenantOperations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(newOperation()),
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${port}/beta/managedTenantOperations\\('`),
      );
    } finally {
      await stopService(service);
    }
    const file = join(folder, 'data', 'managed-tenant-operations.sqlite');
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const migrations = db.prepare('SELECT name FROM migrations').all() as { name: string }[];
      expect(migrations.map((m) => m.name)).toContain('CreateManagedTenantOperations1795900586938');
      expect(db.prepare('SELECT count(*) AS n FROM managed_tenant_operations').get()).toEqual({
        n: 1,
      });
    } finally {
      db.close();
    }
  });

  it('runs on an in-memory database with DATABASE_PATH=:memory:', async () => {
    const port = await freePort();
    const service = await startServiceProcess(
      { PORT: String(port), DATABASE_PATH: ':memory:' },
      folder,
    );
    try {
      const base = `http://127.0.0.1:${port}/beta/managedTenantOperations`;
      const authorization = `Bearer ${await tokenFor(loadConfig({ DATABASE_PATH: ':memory:' }), {})}`;
      const created = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(newOperation()),
      });
      expect(created.status).toBe(201);
      const list = (await (await fetch(base, { headers: { authorization } })).json()) as {
        value: unknown[];
      };
      expect(list.value).toHaveLength(1);
    } finally {
      await stopService(service);
    }
    expect(existsSync(join(folder, 'data'))).toBe(false);
  });

  it('exits 1 with JSON log lines, and never the password, when PostgreSQL cannot be reached', async () => {
    const closedPort = await freePort();
    const password = `pw-${Date.now()}-secret`;
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')],
      {
        cwd: folder,
        env: {
          ...process.env,
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          DATABASE_URL: `postgres://svc:${password}@127.0.0.1:${closedPort}/operations`,
          CREDENTIALS_KEY: randomBytes(32).toString('hex'),
          DEVELOPMENT_ISSUER_KEY: await createDevelopmentKey(),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((done) => child.once('close', done));
    appendToRunLog(output);
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
      level: 'error',
      context: 'Main',
      msg: expect.stringContaining('ECONNREFUSED'),
    });
    expect(output).not.toContain(password);
  });
});
