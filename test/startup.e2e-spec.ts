import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { newOperation } from './support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { tokenFor } from './support/test-app';

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
});
