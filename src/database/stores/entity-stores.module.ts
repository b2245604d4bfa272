import { Module, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { ENTITY_TYPES, EntityType } from '../../edm/model';
import { dialectNamed } from '../../odata/query/sql-dialect';
import { entityStoreToken } from '../../entity-sets/entity-set.tokens';
import { entitySchemaFor } from '../entity-tables';
import { SerialWriter } from '../serial-writer';
import { TransactionContext } from '../transaction-context';
import { EntityStore } from './entity.store';
import { PostgresEntityStore } from './postgres-entity.store';
import { SqliteEntityStore } from './sqlite-entity.store';
import { PostgresRunQueueStore } from './postgres-run-queue.store';
import { RunQueueStore } from './run-queue.store';
import { SqliteRunQueueStore } from './sqlite-run-queue.store';
import { ChangeFeedStore } from './change-feed.store';
import { PostgresChangeFeedStore } from './postgres-change-feed.store';
import { SqliteChangeFeedStore } from './sqlite-change-feed.store';
import { NotificationStore } from './notification.store';
import { PostgresNotificationStore } from './postgres-notification.store';
import { SqliteNotificationStore } from './sqlite-notification.store';
import { EntityStoreRegistry } from './entity-store.registry';

/**
 * The store of an entity type on the database the service runs on: the one place that chooses
 * between SQLite and PostgreSQL, once, at start.
 */
function createEntityStore(
  entity: EntityType,
  dataSource: DataSource,
  cipher: CredentialsCipher,
  writer: SerialWriter,
  transactions: TransactionContext,
): EntityStore {
  const dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const schema = entitySchemaFor(entity, dialect);
  const Store = dialect === 'postgres' ? PostgresEntityStore : SqliteEntityStore;
  return new Store(
    entity,
    schema,
    dataSource.getRepository(schema),
    cipher,
    writer,
    transactions,
    dialectNamed(dialect),
  );
}

const storeProviders: Provider[] = ENTITY_TYPES.map((entity) => ({
  provide: entityStoreToken(entity),
  inject: [DataSource, CredentialsCipher, SerialWriter, TransactionContext],
  useFactory: (
    dataSource: DataSource,
    cipher: CredentialsCipher,
    writer: SerialWriter,
    transactions: TransactionContext,
  ) => createEntityStore(entity, dataSource, cipher, writer, transactions),
}));

/** The run queue of the operation engine, on the same database. */
const runQueueProvider: Provider = {
  provide: RunQueueStore,
  inject: [DataSource, SerialWriter, TransactionContext],
  useFactory: (dataSource: DataSource, writer: SerialWriter, transactions: TransactionContext) =>
    dataSource.options.type === 'postgres'
      ? new PostgresRunQueueStore(dataSource, transactions)
      : new SqliteRunQueueStore(dataSource, writer, transactions),
};

/** The change feed that delta queries and change notifications read. */
const changeFeedProvider: Provider = {
  provide: ChangeFeedStore,
  inject: [DataSource, SerialWriter],
  useFactory: (dataSource: DataSource, writer: SerialWriter) =>
    dataSource.options.type === 'postgres'
      ? new PostgresChangeFeedStore(dataSource)
      : new SqliteChangeFeedStore(dataSource, writer),
};

/** Subscriptions and the notifications waiting to be sent. */
const notificationStoreProvider: Provider = {
  provide: NotificationStore,
  inject: [DataSource, SerialWriter],
  useFactory: (dataSource: DataSource, writer: SerialWriter) =>
    dataSource.options.type === 'postgres'
      ? new PostgresNotificationStore(dataSource)
      : new SqliteNotificationStore(dataSource, writer),
};

/** Every entity type's store, for work that spans the sets. */
const registryProvider: Provider = {
  provide: EntityStoreRegistry,
  inject: ENTITY_TYPES.map(entityStoreToken),
  useFactory: (...stores: EntityStore[]) => new EntityStoreRegistry(stores),
};

/**
 * One store per entity type of the model, by `entityStoreToken(entity)` and in the registry, the
 * run queue, the change feed and the notifications.
 */
@Module({
  providers: [
    ...storeProviders,
    registryProvider,
    runQueueProvider,
    changeFeedProvider,
    notificationStoreProvider,
  ],
  exports: [
    ...storeProviders.map((provider) => (provider as { provide: string }).provide),
    EntityStoreRegistry,
    RunQueueStore,
    ChangeFeedStore,
    NotificationStore,
  ],
})
export class EntityStoresModule {}
