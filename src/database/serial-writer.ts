/**
 * Runs write tasks one at a time, in arrival order.
 *
 * SQLite has a single writer, and TypeORM shares one connection for better-sqlite3, so concurrent
 * async transactions on it would interleave. Queuing writes here gives each read-modify-write
 * (PATCH) the database to itself, while reads go on in parallel.
 */
export class SerialWriter {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
