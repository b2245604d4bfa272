import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from 'typeorm';

/**
 * The transaction an atomic $batch group runs in, for the repositories its requests reach. On
 * SQLite there is one connection, so a transaction begun on it covers every statement; on
 * PostgreSQL each statement takes a pooled connection, so the group's statements must go through
 * the manager of the connection that holds its transaction.
 *
 * On Node 20, an AsyncLocalStorage that has run once makes every promise of the process pay for
 * carrying its context (async_hooks) until it is disabled: after the first write, that was about
 * a seventh of the CPU of a read by key. Groups are rare, so the storage is disabled whenever no
 * group is running, and the rest of the time promises cost what they cost.
 */
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<EntityManager>();
  private running = 0;

  async run<T>(manager: EntityManager, task: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await this.storage.run(manager, task);
    } finally {
      this.running -= 1;
      if (this.running === 0) this.storage.disable();
    }
  }

  /** The manager of the transaction in progress, if any. */
  get manager(): EntityManager | undefined {
    return this.storage.getStore();
  }
}
