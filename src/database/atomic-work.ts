import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SerialWriter } from './serial-writer';
import { TransactionContext } from './transaction-context';

/**
 * Work applied together or not at all (an atomic $batch group): it runs in one database
 * transaction, on one connection, while it holds the write queue; the repositories it reaches
 * find the transaction through TransactionContext. `work` says whether to keep what it did.
 */
@Injectable()
export class AtomicWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: SerialWriter,
    private readonly transactions: TransactionContext,
  ) {}

  run<T>(work: () => Promise<{ readonly result: T; readonly commit: boolean }>): Promise<T> {
    return this.writer.run(async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.startTransaction();
      try {
        const { result, commit } = await this.transactions.run(runner.manager, work);
        if (commit) await runner.commitTransaction();
        else await runner.rollbackTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      } finally {
        await runner.release();
      }
    });
  }
}
