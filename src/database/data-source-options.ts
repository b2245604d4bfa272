import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { managedTenantOperationSchema } from '../managed-tenant-operations/managed-tenant-operation.schema';
import { migrations } from './migrations';

/** One definition for the app and for the TypeORM CLI (ormconfig.ts). */
export function dataSourceOptions(config: Pick<AppConfig, 'databasePath'>): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: config.databasePath,
    entities: [managedTenantOperationSchema],
    migrations,
    migrationsRun: true,
    synchronize: false,
    // WAL lets readers run while one writer commits; `timeout` is SQLite's busy timeout (ms),
    // so a writer waits for the lock instead of failing with SQLITE_BUSY.
    enableWAL: config.databasePath !== ':memory:',
    timeout: 5_000,
    // FULL: a commit is on disk before we answer 2xx, even across a power loss.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('synchronous = FULL');
    },
  };
}
