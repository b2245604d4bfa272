import { RunHistoryStore } from './run-history.store';
import { ScheduleStore } from './schedule.store';
import { TenantDirectoryStore } from './tenant-directory.store';
import { AuditLogStore } from './audit-log.store';
import { Module, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { provideBy } from '../../common/typed-token';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { EntityType, STORED_ENTITY_TYPES } from '../../edm/model';
import { dialectNamed } from '../../odata/query/sql-dialect';
import { entityStoreToken } from '../../entity-sets/entity-set.tokens';
import { entitySchemaFor } from '../entity-tables';
import { SqlExecutor } from '../sql-executor';
import { TransactionContext } from '../transaction-context';
import { EntityStore } from './entity.store';
import { SqlEntityStore } from './sql-entity.store';
import { RunQueueStore } from './run-queue.store';
import { RunComparisonStore } from './run-comparison.store';
import { ChangeFeedStore } from './change-feed.store';
import { NotificationStore } from './notification.store';
import { EntityStoreRegistry } from './entity-store.registry';

/** The store of an entity type, on the database the executor runs (DatabaseModule chose it). */
function createEntityStore(
  entity: EntityType,
  dataSource: DataSource,
  executor: SqlExecutor,
  cipher: CredentialsCipher,
  transactions: TransactionContext,
): EntityStore {
  const dialect = executor.dialect.name;
  const schema = entitySchemaFor(entity, dialect);
  return new SqlEntityStore(
    entity,
    schema,
    dataSource.getRepository(schema),
    cipher,
    transactions,
    dialectNamed(dialect),
    executor,
  );
}

const storeProviders = STORED_ENTITY_TYPES.map((entity) =>
  provideBy(
    entityStoreToken(entity),
    [DataSource, SqlExecutor, CredentialsCipher, TransactionContext],
    (
      dataSource: DataSource,
      executor: SqlExecutor,
      cipher: CredentialsCipher,
      transactions: TransactionContext,
    ) => createEntityStore(entity, dataSource, executor, cipher, transactions),
  ),
);

/** Every entity type's store, for work that spans the sets. */
const registryProvider: Provider = {
  provide: EntityStoreRegistry,
  inject: STORED_ENTITY_TYPES.map((entity) => entityStoreToken(entity)),
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
    RunQueueStore,
    RunComparisonStore,
    ChangeFeedStore,
    NotificationStore,
    ScheduleStore,
    RunHistoryStore,
    TenantDirectoryStore,
    AuditLogStore,
  ],
  exports: [
    ...storeProviders.map((provider) => provider.provide),
    EntityStoreRegistry,
    RunQueueStore,
    RunComparisonStore,
    ChangeFeedStore,
    NotificationStore,
    ScheduleStore,
    RunHistoryStore,
    TenantDirectoryStore,
    AuditLogStore,
  ],
})
export class EntityStoresModule {}
