import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { newOperation } from '../support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from '../support/processes';
import { tokenFor } from '../support/test-app';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
const WORKERS = 8;

function start(databasePath: string, port: number): Promise<ServiceProcess> {
  return startServiceProcess({
    PORT: String(port),
    DATABASE_PATH: databasePath,
    // This test is about durability, not throttling: its check reads every id acknowledged so far,
    // which over several rounds of a fast service is more than the default budget per minute.
    THROTTLE_LIMIT: '1000000000',
  });
}

/**
 * `npm run test:crash`: no acknowledged write is lost when the process is killed with SIGKILL at a
 * random moment under concurrent creates and updates. The client records every 2xx; after a restart
 * on the same file every acknowledged create exists with at least its last acknowledged update (a
 * later one may have been applied but not acknowledged), and SQLite's integrity check passes.
 */
describe('kill -9 under load', () => {
  jest.setTimeout(300_000);

  it(`loses no acknowledged write, over ${ROUNDS} random kills`, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-crash-'));
    const databasePath = join(folder, 'db.sqlite');
    const acknowledged = new Map<string, number>(); // id → last acknowledged version
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        const port = await freePort();
        const service = await start(databasePath, port);
        const authorization = `Bearer ${await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {})}`;
        const base = `http://127.0.0.1:${port}/beta/managedTenantOperations`;
        let running = true;
        const worker = async () => {
          while (running) {
            try {
              const created = await fetch(base, {
                method: 'POST',
                headers: { authorization, 'content-type': 'application/json' },
                body: JSON.stringify(newOperation({ status: 'v0' })),
              });
              if (created.status !== 201) continue;
              const { id } = (await created.json()) as { id: string };
              acknowledged.set(id, 0);
              for (let version = 1; running && version <= 5; version += 1) {
                const patched = await fetch(`${base}/${id}`, {
                  method: 'PATCH',
                  headers: { authorization, 'content-type': 'application/json' },
                  body: JSON.stringify({ status: `v${version}` }),
                });
                if (patched.status === 200) acknowledged.set(id, version);
              }
            } catch {
              // the process is gone: what was acknowledged is recorded
            }
          }
        };
        const workers = Array.from({ length: WORKERS }, worker);
        await new Promise((done) => setTimeout(done, 300 + Math.random() * 1200));
        service.child.kill('SIGKILL');
        running = false;
        await Promise.all(workers);
        await service.exited;

        const check = await start(databasePath, port);
        try {
          for (const [id, version] of acknowledged) {
            const response = await fetch(`${base}/${id}`, { headers: { authorization } });
            expect({ id, status: response.status }).toEqual({ id, status: 200 });
            const stored = Number(((await response.json()) as { status: string }).status.slice(1));
            expect({ id, atLeast: stored >= version }).toEqual({ id, atLeast: true });
          }
        } finally {
          check.child.kill('SIGTERM');
          await check.exited;
        }
      }
      expect(acknowledged.size).toBeGreaterThan(0);
      const db = new Database(databasePath);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
