import { SerialWriter } from './serial-writer';
import { StorageObserver, UNOBSERVED_STORAGE } from './sql-executor';

/** The part of a better-sqlite3 connection a group commit uses. */
export interface SqliteTransactions {
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/** The most writes one transaction commits (a few milliseconds of SQLite work). */
export const MAX_GROUP_SIZE = 256;

interface PendingWrite {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite: the writes that arrive while the event loop handles one batch of
 * requests are committed together, in one transaction, so that one fsync (synchronous=FULL) makes
 * all of them durable rather than one fsync each. Each write runs in a savepoint of its own, so a
 * write that fails (a unique violation, say) is undone alone and fails alone; if the transaction
 * cannot commit (a full disk, an I/O error, a lock held too long), every write of the group fails
 * and none is acknowledged. A write is resolved only after its group's COMMIT returned.
 *
 * Writes are mostly synchronous functions (better-sqlite3 is): a group of them runs from BEGIN to
 * COMMIT without yielding, so no read on the shared connection can see a write before it is
 * committed. A write may also be a store's transaction that awaits its own statements (which
 * better-sqlite3 answers at once): the group then awaits it in its savepoint. The group is one
 * task of the SerialWriter, so it never overlaps another writer (a unit of work's transaction, a
 * delete through TypeORM).
 */
export class SqliteGroupCommit {
  private pending: PendingWrite[] = [];

  constructor(
    private readonly writer: SerialWriter,
    private readonly connection: () => SqliteTransactions,
    private readonly observer: StorageObserver = UNOBSERVED_STORAGE,
  ) {}

  run<T>(write: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      // The first write of a group waits for the rest of this turn of the event loop: requests
      // whose data has arrived are parsed, checked and queue their writes meanwhile.
      if (this.pending.length === 1) this.scheduleCommit();
    });
  }

  private scheduleCommit(): void {
    setImmediate(() => void this.writer.run(() => this.commitPending()));
  }

  private async commitPending(): Promise<void> {
    // A group is bounded, so that one commit never holds the event loop for long; the rest of a
    // flood goes in the next group.
    const group = this.pending.splice(0, MAX_GROUP_SIZE);
    if (this.pending.length > 0) this.scheduleCommit();
    await this.observer.transaction('sqlite', group.length, () => this.commit(group));
  }

  private async commit(group: readonly PendingWrite[]): Promise<void> {
    const outcomes: Array<{ value?: unknown; error?: unknown; failed: boolean }> = [];
    let db: SqliteTransactions | undefined;
    try {
      db = this.connection();
      db.exec('BEGIN IMMEDIATE');
      for (const { write } of group) {
        db.exec('SAVEPOINT group_write');
        try {
          let value = write();
          if (value instanceof Promise) value = await value;
          outcomes.push({ value, failed: false });
          db.exec('RELEASE group_write');
        } catch (error) {
          // A full disk or an I/O error ends the whole transaction: the group fails with it.
          if (!db.inTransaction) throw error;
          db.exec('ROLLBACK TO group_write');
          db.exec('RELEASE group_write');
          outcomes.push({ error, failed: true });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      try {
        if (db?.inTransaction) db.exec('ROLLBACK');
      } catch {
        // SQLite rolls back on its own when it cannot go on; the group fails either way.
      }
      for (const { reject } of group) reject(error);
      return;
    }
    group.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (outcome.failed) reject(outcome.error);
      else resolve(outcome.value);
    });
  }
}

const shared = new WeakMap<SerialWriter, SqliteGroupCommit>();

/**
 * The group commit of the write queue's connection, one per process: every SQLite store queues
 * its writes here, so that writes commit in the order they were made (a tenant's result row
 * before the queue's note that the tenant is done, in the same transaction or an earlier one)
 * and share one fsync.
 */
export function sharedGroupCommit(
  writer: SerialWriter,
  connection: () => SqliteTransactions,
  observer?: StorageObserver,
): SqliteGroupCommit {
  let groupCommit = shared.get(writer);
  if (!groupCommit) {
    groupCommit = new SqliteGroupCommit(writer, connection, observer);
    shared.set(writer, groupCommit);
  }
  return groupCommit;
}
