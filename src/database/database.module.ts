import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AtomicWork } from './atomic-work';
import { dialectOf } from './data-source-options';
import { SerialWriter } from './serial-writer';
import { TransactionContext } from './transaction-context';

/**
 * The write queue of the process (SQLite's single writer; on PostgreSQL, which many instances
 * share, concurrent writes are the database's to order) and the transaction of an atomic $batch
 * group, shared by every repository.
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
    TransactionContext,
    AtomicWork,
  ],
  exports: [SerialWriter, TransactionContext, AtomicWork],
})
export class DatabaseModule {}
