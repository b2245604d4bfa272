import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from 'typeorm';

/**
 * The transaction an atomic $batch group runs in, for the repositories its requests reach. On
 * SQLite there is one connection, so a transaction begun on it covers every statement; on
 * PostgreSQL each statement takes a pooled connection, so the group's statements must go through
 * the manager of the connection that holds its transaction.
 */
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  run<T>(manager: EntityManager, task: () => Promise<T>): Promise<T> {
    return this.storage.run(manager, task);
  }

  /** The manager of the transaction in progress, if any. */
  get manager(): EntityManager | undefined {
    return this.storage.getStore();
  }
}
