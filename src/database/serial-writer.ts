import { TransactionContext } from './transaction-context';

/**
 * Runs write tasks one at a time, in arrival order.
 *
 * SQLite has a single writer, and TypeORM shares one connection for better-sqlite3, so concurrent
 * async transactions on it would interleave. Queuing writes here gives each read-modify-write
 * (PATCH) the database to itself, while reads go on in parallel. A task that runs inside an
 * atomic $batch group (which holds the queue for its transaction) runs at once, not after the
 * group, which would wait for it. (The group's transaction context says so; the writer keeps no
 * async context of its own, see TransactionContext.)
 */
export class SerialWriter {
  private tail: Promise<unknown> = Promise.resolve();

  /** `serial: false` (PostgreSQL): tasks run at once; the database orders concurrent writes. */
  constructor(
    private readonly transactions: TransactionContext,
    private readonly serial = true,
  ) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (!this.serial || this.transactions.manager) return task();
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
