import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { AtomicWork } from './atomic-work';
import { dialectOf } from './data-source-options';
import { PostgresExecutor } from './postgres-executor';
import { SerialWriter } from './serial-writer';
import { SqlExecutor, StorageObserver } from './sql-executor';
import { StorageTelemetry } from '../observability/storage-telemetry';
import { SqliteExecutor } from './sqlite-executor';
import { TransactionContext } from './transaction-context';
import { WalCheckpoints } from './wal-checkpoints';
import { DialectName } from '../odata/query/sql-dialect';

/** The executor of a database: the one place that picks SQLite's or PostgreSQL's. */
export function sqlExecutorFor(
  dialect: DialectName,
  dataSource: DataSource,
  writer: SerialWriter,
  transactions: TransactionContext,
  observer?: StorageObserver,
): SqlExecutor {
  return dialect === 'postgres'
    ? new PostgresExecutor(dataSource, transactions, observer)
    : new SqliteExecutor(dataSource, writer, transactions, observer);
}

/**
 * The database the service runs on, chosen here once from the configuration: its SQL executor
 * (SQLite's group commit, or PostgreSQL's pool), the write queue of the process (SQLite's single
 * writer; on PostgreSQL, which many instances share, concurrent writes are the database's to
 * order), the unit of work that spans stores, and on SQLite the checkpoints of its log.
 */
@Global()
@Module({
  providers: [
    {
      provide: SerialWriter,
      inject: [AppConfigService, TransactionContext],
      useFactory: (config: AppConfigService, transactions: TransactionContext) =>
        new SerialWriter(transactions, dialectOf(config.values) === 'sqlite'),
    },
    {
      provide: SqlExecutor,
      inject: [
        AppConfigService,
        DataSource,
        SerialWriter,
        TransactionContext,
        // Absent where a test builds the stores without the application around them.
        { token: StorageTelemetry, optional: true },
      ],
      useFactory: (
        config: AppConfigService,
        dataSource: DataSource,
        writer: SerialWriter,
        transactions: TransactionContext,
        telemetry?: StorageTelemetry,
      ): SqlExecutor =>
        sqlExecutorFor(dialectOf(config.values), dataSource, writer, transactions, telemetry),
    },
    TransactionContext,
    AtomicWork,
    WalCheckpoints,
  ],
  exports: [SerialWriter, SqlExecutor, TransactionContext, AtomicWork],
})
export class DatabaseModule {}
