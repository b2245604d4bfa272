import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DialectName } from '../odata/query/sql-dialect';
import { entitySchemas } from './entity-tables';
import { migrations, postgresMigrations } from './migrations';

/** How long SQLite waits for a lock before it fails with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Pages of write-ahead log past which the connection that commits checkpoints it itself (SQLite's
 * default is 1,000): a safety net for the checkpointing thread, which keeps the log well below.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 16_384;

export function dialectOf(config: Pick<AppConfig, 'postgres'>): DialectName {
  return config.postgres ? 'postgres' : 'sqlite';
}

/** One definition for the app and for the TypeORM CLI (ormconfig.ts): SQLite, or PostgreSQL. */
export function dataSourceOptions(
  config: Pick<AppConfig, 'databasePath' | 'postgres'>,
): DataSourceOptions {
  const entities = entitySchemas(dialectOf(config));
  if (config.postgres) {
    const { url, schema, poolSize, statementTimeoutMs } = config.postgres;
    return {
      type: 'postgres',
      url,
      schema,
      entities,
      migrations: postgresMigrations,
      migrationsRun: true,
      // Several instances may start at once: each migration runs in its own transaction, and
      // TypeORM takes an advisory lock so that only one instance applies them.
      migrationsTransactionMode: 'each',
      synchronize: false,
      poolSize,
      extra: {
        // Fail fast when the database is unreachable (the request gets a 503), and cancel a
        // statement that runs away.
        connectionTimeoutMillis: 5_000,
        statement_timeout: statementTimeoutMs,
        idleTimeoutMillis: 30_000,
        application_name: 'managed-tenant-operations',
        // Migrations name tables without a schema: they go to DATABASE_SCHEMA.
        ...(schema ? { options: `-c search_path=${schema}` } : {}),
      },
    };
  }
  return {
    type: 'better-sqlite3',
    database: config.databasePath,
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
    // WAL lets readers run while one writer commits; `timeout` is SQLite's busy timeout (ms),
    // so a writer waits for the lock instead of failing with SQLITE_BUSY.
    enableWAL: config.databasePath !== ':memory:',
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // FULL: a commit is on disk before we answer 2xx, even across a power loss.
      db.pragma('synchronous = FULL');
      // The log is checkpointed on a thread of its own (wal-checkpoints.ts); this connection,
      // on the event loop, only when that falls behind.
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      // Every write of a group commit runs in a savepoint, whose undo record (the pages as they
      // were) is a temporary file past 64 KiB: in memory, it costs no system call, and it is
      // emptied as each savepoint is released. Temporary tables and sorts go to memory too:
      // queries here read through indexes, in pages.
      db.pragma('temp_store = MEMORY');
    },
  };
}
