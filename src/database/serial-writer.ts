import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Runs write tasks one at a time, in arrival order.
 *
 * SQLite has a single writer, and TypeORM shares one connection for better-sqlite3, so concurrent
 * async transactions on it would interleave. Queuing writes here gives each read-modify-write
 * (PATCH) the database to itself, while reads go on in parallel. A task that runs inside another
 * (an atomic $batch group holding the queue for its transaction) runs at once, not after itself.
 */
export class SerialWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly holding = new AsyncLocalStorage<true>();

  /** `serial: false` (PostgreSQL): tasks run at once; the database orders concurrent writes. */
  constructor(private readonly serial = true) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (!this.serial || this.holding.getStore()) return task();
    const result = this.tail.then(() => this.holding.run(true, task));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
