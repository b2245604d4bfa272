import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';
import { describeOnSqlite } from './support/test-database';

jest.setTimeout(60_000);

function expectUnavailable(response: { statusCode: number; json(): any; headers: any }): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  const { error } = response.json();
  expect(error.code).toBe('serviceNotAvailable');
  expect(error.message).toMatch(/Try again later\.$/);
  expect(error.innerError['request-id']).toBe(response.headers['request-id']);
}

// SQLite's own locks, files and pragmas; PostgreSQL maps its conditions the same way (unit-tested).
describeOnSqlite('contention', () => {
  it('serves 50 concurrent writers without a SQLITE_BUSY or a 500, while another process holds the write lock for a second', async () => {
    const app = await TestApp.start();
    try {
      const seeded = await Promise.all(
        Array.from({ length: 25 }, async () => (await app.post(newOperation())).json()),
      );
      // Another writer on the same file (a second process, as the key-rotation command is).
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]);
           db.exec('BEGIN IMMEDIATE');
           process.stdout.write('locked\\n');
           setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1000);`,
          app.databasePath,
        ],
        { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      // Listened for from the start: the holder may exit before the writes it held back are done.
      const exited = new Promise((done) => holder.once('exit', done));
      await new Promise<void>((locked) => holder.stdout!.once('data', () => locked()));
      const writes = await Promise.all([
        ...Array.from({ length: 25 }, () => app.post(newOperation())),
        ...seeded.map((entity) =>
          app.patch(`${ENTITY_SET}/${entity.id}`, { status: `changed-${entity.id}` }),
        ),
      ]);
      await exited;
      expect(writes.map((response) => response.statusCode).sort()).toEqual([
        ...Array(25).fill(200),
        ...Array(25).fill(201),
      ]);
      for (const entity of seeded) {
        expect((await app.get(`${ENTITY_SET}/${entity.id}`)).json().status).toBe(
          `changed-${entity.id}`,
        );
      }
    } finally {
      await app.dispose();
    }
  });

  it('answers 503 with Retry-After, not a 500, when the write lock is held past the busy timeout; reads go on; it recovers by itself', async () => {
    const app = await TestApp.start();
    const other = new Database(app.databasePath);
    try {
      const existing = (await app.post(newOperation())).json();
      other.exec('BEGIN IMMEDIATE');
      const blocked = await app.post(newOperation());
      expectUnavailable(blocked);
      expect(blocked.headers['retry-after']).toBe('1');
      expect((await app.get(`${ENTITY_SET}/${existing.id}`)).statusCode).toBe(200);
      other.exec('ROLLBACK');
      expect((await app.post(newOperation())).statusCode).toBe(201);
    } finally {
      other.close();
      await app.dispose();
    }
  });
});

describeOnSqlite('storage faults', () => {
  it('answers writes with 503 while the disk is full, keeps serving reads, and recovers by itself once there is space', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-full-'));
    // A 4 MiB tmpfs of its own, so that filling it fills nothing else. Mounting needs root (which
    // these machines give); without it, SQLite's max_page_count makes the database full instead,
    // which fails writes with the same SQLITE_FULL.
    let mounted = false;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', folder], { stdio: 'ignore' });
      mounted = true;
    } catch {
      console.warn('storage faults: cannot mount a tmpfs here; using PRAGMA max_page_count');
    }
    let app: TestApp | undefined;
    try {
      mkdirSync(join(folder, 'app'));
      app = await TestApp.start({}, { folder: join(folder, 'app') });
      const before = await Promise.all(
        Array.from({ length: 20 }, async () => (await app!.post(newOperation())).json()),
      );
      const filler = join(folder, 'filler');
      if (mounted) fillDisk(filler);
      else {
        const dataSource = app.app.get(DataSource);
        const [{ page_count: pages }] = await dataSource.query('PRAGMA page_count');
        await dataSource.query(`PRAGMA max_page_count = ${pages}`);
      }

      const creates = [];
      for (let i = 0; i < 20; i++) creates.push(await app.post(newOperation()));
      for (const create of creates) expectUnavailable(create);
      expectUnavailable(await app.patch(`${ENTITY_SET}/${before[0].id}`, { status: 'x' }));
      expectUnavailable(await app.delete(`${ENTITY_SET}/${before[1].id}`));

      expect((await app.get(`${ENTITY_SET}/${before[0].id}`)).json().status).toBe(before[0].status);
      expect((await app.get(`${ENTITY_SET}?$count=true&$top=1`)).json()['@odata.count']).toBe(20);
      expect((await app.get('/health/live')).statusCode).toBe(200);

      if (mounted) unlinkSync(filler);
      else await app.app.get(DataSource).query('PRAGMA max_page_count = 1073741823');

      const after = await app.post(newOperation());
      expect(after.statusCode).toBe(201);
      expect((await app.get(`${ENTITY_SET}/${after.json().id}`)).statusCode).toBe(200);
      expect(
        (await app.patch(`${ENTITY_SET}/${before[0].id}`, { status: 'done' })).statusCode,
      ).toBe(200);
      await app.stop();
      // Nothing acknowledged was lost, nothing refused was half-written.
      const restarted = await app.restartOnSameDatabase();
      app = restarted;
      expect((await restarted.get(`${ENTITY_SET}?$count=true&$top=1`)).json()['@odata.count']).toBe(
        21,
      );
    } finally {
      await app?.stop().catch(() => undefined);
      if (mounted) execFileSync('umount', [folder]);
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers writes with 503 while the database is read-only, keeps serving reads, and recovers by itself', async () => {
    // A read-only mount cannot be made under an open file, and root writes through file
    // permissions, so the read-only state comes from SQLite itself: query_only fails every write
    // with SQLITE_READONLY, as a read-only file does.
    const app = await TestApp.start();
    try {
      const existing = (await app.post(newOperation())).json();
      const dataSource = app.app.get(DataSource);
      await dataSource.query('PRAGMA query_only = 1');
      const refused = await app.post(newOperation());
      expectUnavailable(refused);
      expect(refused.json().error.message).toContain('cannot be written');
      expectUnavailable(await app.patch(`${ENTITY_SET}/${existing.id}`, { status: 'x' }));
      expect((await app.get(`${ENTITY_SET}/${existing.id}`)).statusCode).toBe(200);
      await dataSource.query('PRAGMA query_only = 0');
      expect((await app.post(newOperation())).statusCode).toBe(201);
    } finally {
      await app.dispose();
    }
  });
});

/** Writes until the file system is full to the last byte (smaller and smaller chunks). */
function fillDisk(path: string): void {
  const file = openSync(path, 'w');
  try {
    for (const size of [1 << 16, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(file, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(file);
  }
}
