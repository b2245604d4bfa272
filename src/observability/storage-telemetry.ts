import { Injectable } from '@nestjs/common';
import { StorageObserver } from '../database/sql-executor';
import { DialectName } from '../odata/query/sql-dialect';
import { ServiceMetrics } from './service-metrics';
import { SpanKind, Tracing } from './tracing';

/**
 * The database's transactions, counted (and on SQLite, the writes each group commit holds) and
 * traced: a span per transaction within a trace, the child of the work that opened it (a SQLite
 * group commit's, of the first write it holds).
 */
@Injectable()
export class StorageTelemetry implements StorageObserver {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly tracing: Tracing,
  ) {}

  transaction<T>(database: DialectName, writes: number, work: () => Promise<T>): Promise<T> {
    this.metrics.transactionStarted(database);
    if (database === 'sqlite') this.metrics.groupCommitted(writes);
    // Only within a trace (a request's, a run's): the background jobs' polling would otherwise
    // make a trace of one span several times a second.
    if (!this.tracing.inTrace) return work();
    return this.tracing.inSpan(
      'db transaction',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': database === 'sqlite' ? 'sqlite' : 'postgresql',
          'db.operation.name': 'transaction',
          'db.operation.batch.size': writes,
        },
      },
      () => work(),
    );
  }
}
