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

/** One store per entity type of the model, by `entityStoreToken(entity)`. */
@Module({
  providers: storeProviders,
  exports: storeProviders.map((provider) => (provider as { provide: string }).provide),
})
export class EntityStoresModule {}
