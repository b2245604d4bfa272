import { Injectable } from '@nestjs/common';
import { StorageObserver } from '../database/sql-executor';
import { DialectName } from '../odata/query/sql-dialect';
import { ServiceMetrics } from './service-metrics';

/** The database's transactions, counted (and on SQLite, the writes each group commit holds). */
@Injectable()
export class StorageTelemetry implements StorageObserver {
  constructor(private readonly metrics: ServiceMetrics) {}

  transaction<T>(database: DialectName, writes: number, work: () => Promise<T>): Promise<T> {
    this.metrics.transactionStarted(database);
    if (database === 'sqlite') this.metrics.groupCommitted(writes);
    return work();
  }
}
