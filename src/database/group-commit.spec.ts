import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_GROUP_SIZE, SqliteGroupCommit, SqliteTransactions } from './group-commit';
import { SerialWriter } from './serial-writer';
import { TransactionContext } from './transaction-context';

describe('SqliteGroupCommit', () => {
  let folder: string;
  let path: string;
  let db: Database.Database;
  let executed: string[];
  let failCommit: Error | undefined;
  let groupCommit: SqliteGroupCommit;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'group-commit-'));
    path = join(folder, 'test.sqlite');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE item (id TEXT PRIMARY KEY)');
    executed = [];
    failCommit = undefined;
    // The real connection, with a record of the transaction statements and, for one test, a
    // COMMIT that fails as it does on a full disk.
    const connection: SqliteTransactions = {
      exec: (sql: string) => {
        executed.push(sql);
        if (sql === 'COMMIT' && failCommit) throw failCommit;
        return db.exec(sql);
      },
      get inTransaction() {
        return db.inTransaction;
      },
    };
    groupCommit = new SqliteGroupCommit(
      new SerialWriter(new TransactionContext()),
      () => connection,
    );
  });

  afterEach(() => {
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A write that inserts one item. */
  function insert(id: string): () => string {
    return () => {
      db.prepare('INSERT INTO item (id) VALUES (?)').run(id);
      return id;
    };
  }

  /** What another connection (another process, after a crash) finds. */
  function durableIds(): string[] {
    const reader = new Database(path, { readonly: true });
    try {
      return (reader.prepare('SELECT id FROM item ORDER BY id').all() as Array<{ id: string }>).map(
        (row) => row.id,
      );
    } finally {
      reader.close();
    }
  }

  it('commits the writes that arrive together in one transaction, and resolves them after it', async () => {
    const seenAtResolution: string[][] = [];
    const writes = ['a', 'b', 'c', 'd'].map((id) =>
      groupCommit.run(insert(id)).then((value) => {
        seenAtResolution.push(durableIds());
        return value;
      }),
    );
    expect(await Promise.all(writes)).toEqual(['a', 'b', 'c', 'd']);
    expect(executed.filter((sql) => sql === 'COMMIT')).toHaveLength(1);
    expect(executed[0]).toBe('BEGIN IMMEDIATE');
    // Every write was durable, for any reader, by the time it was acknowledged.
    for (const seen of seenAtResolution) expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails a write that fails alone, undoing what it did, and commits the others', async () => {
    await groupCommit.run(insert('taken'));
    const results = await Promise.allSettled([
      groupCommit.run(insert('x')),
      groupCommit.run(insert('taken')), // a unique violation
      groupCommit.run(() => {
        insert('half-done')();
        throw new Error('the change was refused');
      }),
      groupCommit.run(insert('y')),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/refused/);
    expect(durableIds()).toEqual(['taken', 'x', 'y']);
  });

  it('fails every write of a group that cannot commit, and none of them is stored', async () => {
    failCommit = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const results = await Promise.allSettled(['p', 'q'].map((id) => groupCommit.run(insert(id))));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    }
    expect(db.inTransaction).toBe(false);
    expect(durableIds()).toEqual([]);

    // The next group commits as usual.
    failCommit = undefined;
    await groupCommit.run(insert('r'));
    expect(durableIds()).toEqual(['r']);
  });

  it('commits a flood in bounded groups, every write of it', async () => {
    const ids = Array.from(
      { length: MAX_GROUP_SIZE * 2 + 10 },
      (_, i) => `id-${String(i).padStart(4, '0')}`,
    );
    await Promise.all(ids.map((id) => groupCommit.run(insert(id))));
    expect(executed.filter((sql) => sql === 'COMMIT')).toHaveLength(3);
    expect(durableIds()).toEqual(ids);
  });

  it('fails the group, never hangs, when the connection is gone', async () => {
    const closed = new SqliteGroupCommit(new SerialWriter(new TransactionContext()), () => {
      throw new TypeError('The database connection is not open');
    });
    await expect(closed.run(insert('lost'))).rejects.toThrow(/not open/);
  });

  it('starts a new group for writes that arrive after a group was committed', async () => {
    await groupCommit.run(insert('first'));
    await groupCommit.run(insert('second'));
    expect(executed.filter((sql) => sql === 'COMMIT')).toHaveLength(2);
    expect(durableIds()).toEqual(['first', 'second']);
  });
});
