import { DataSource } from 'typeorm';
import { sharedGroupCommit } from '../group-commit';
import { SerialWriter } from '../serial-writer';
import { TransactionContext } from '../transaction-context';
import { SqliteConnection, SqliteStatement, SqliteStatements } from './sqlite-statements';
import {
  byPosition,
  latestOutcomesParameters,
  outcomeFromRow,
  progressFromRow,
  runFromRow,
  runQueueSql,
  taskFromRow,
} from './run-queue-sql';
import {
  Completion,
  NewRun,
  RunKey,
  RunProgress,
  RunQueueStore,
  RunRecord,
  RunStop,
  TenantOutcomeRecord,
  TenantTask,
} from './run-queue.store';

const SQL = runQueueSql('');

/**
 * The run queue on SQLite: one process works it, so claims need no locks; every write is
 * synchronous on the one connection, group-committed with the entity stores' writes through the
 * same write queue (one fsync for the writes of one turn of the event loop).
 */
export class SqliteRunQueueStore extends RunQueueStore {
  readonly singleProcess = true;
  private readonly sql: SqliteStatements;

  constructor(
    dataSource: DataSource,
    private readonly writer: SerialWriter,
    private readonly transactions: TransactionContext,
  ) {
    super();
    this.sql = new SqliteStatements(dataSource);
  }

  find(key: RunKey): Promise<RunRecord | undefined> {
    const row = this.get(SQL.findRun, key.partnerTenantId, key.operationId);
    return Promise.resolve(row ? runFromRow(row) : undefined);
  }

  start(run: NewRun): Promise<boolean> {
    return this.write(() => {
      const existing = this.get(SQL.findRun, run.partnerTenantId, run.operationId);
      const state = run.expanding ? 'expanding' : 'running';
      if (existing) {
        const { changes } = this.prepared(SQL.restartRun).run(
          run.run,
          run.baseRun,
          state,
          run.startedAt,
          run.partnerTenantId,
          run.operationId,
        );
        if (changes === 0) return false;
        this.prepared(SQL.forgetSupersededTenants).run(
          run.partnerTenantId,
          run.operationId,
          run.baseRun,
        );
      } else {
        this.prepared(SQL.insertRun).run(
          run.partnerTenantId,
          run.operationId,
          run.run,
          run.baseRun,
          state,
          run.startedAt,
        );
      }
      this.insertTenants(run, run.run, run.tenants);
      return true;
    });
  }

  stop(key: RunKey, stop: RunStop): Promise<boolean> {
    const sql = stop === 'cancelled' ? SQL.stopCancelled : SQL.stopFailedFirst;
    return this.write(
      () => this.prepared(sql).run(key.partnerTenantId, key.operationId).changes > 0,
    );
  }

  unsuccessfulTenants(key: RunKey): Promise<string[]> {
    const rows = this.prepared(SQL.unsuccessful).all(key.partnerTenantId, key.operationId);
    return Promise.resolve(rows.map((row) => row.targetTenantId as string));
  }

  claimExpansions(owner: string, leaseUntil: number, now: number): Promise<RunRecord[]> {
    const candidates = this.prepared(SQL.candidateExpansions).all(now);
    if (candidates.length === 0) return Promise.resolve([]);
    return this.write(() =>
      candidates.flatMap((key) => {
        const claimed = this.prepared(SQL.claimRun).run(
          owner,
          leaseUntil,
          key.partnerTenantId,
          key.operationId,
          now,
        );
        const row =
          claimed.changes > 0
            ? this.get(SQL.findRun, key.partnerTenantId, key.operationId)
            : undefined;
        return row ? [runFromRow(row)] : [];
      }),
    );
  }

  expand(run: RunRecord, owner: string, tenants: NewRun['tenants']): Promise<boolean> {
    return this.write(() => {
      const { changes } = this.prepared(SQL.expanded).run(
        run.partnerTenantId,
        run.operationId,
        run.run,
        owner,
      );
      if (changes === 0) return false;
      this.insertTenants(run, run.run, tenants);
      return true;
    });
  }

  runsWithWork(now: number, limit: number): Promise<RunRecord[]> {
    return Promise.resolve(this.prepared(SQL.runsWithWork).all(now, limit).map(runFromRow));
  }

  claimTenants(
    run: RunRecord,
    owner: string,
    leaseUntil: number,
    now: number,
    limit: number,
  ): Promise<TenantTask[]> {
    return this.write(() => {
      const key = [run.partnerTenantId, run.operationId, run.run] as const;
      const expired = this.prepared(SQL.claimExpired).all(owner, leaseUntil, ...key, now, limit);
      const pending =
        expired.length < limit
          ? this.prepared(SQL.claimPending).all(owner, leaseUntil, ...key, limit - expired.length)
          : [];
      return byPosition([...expired, ...pending].map(taskFromRow));
    });
  }

  renewLeases(owner: string, leaseUntil: number): Promise<void> {
    return this.write(() => {
      this.prepared(SQL.renewTenants).run(leaseUntil, owner);
      this.prepared(SQL.renewRuns).run(leaseUntil, owner);
    });
  }

  complete(task: TenantTask, owner: string, completion: Completion): Promise<boolean> {
    return this.write(
      () =>
        this.prepared(SQL.complete).run(
          completion.outcome,
          completion.message,
          completion.calls,
          completion.retries,
          task.partnerTenantId,
          task.operationId,
          task.run,
          task.targetTenantId,
          owner,
        ).changes > 0,
    );
  }

  release(owner?: string): Promise<void> {
    return this.write(() => {
      if (owner === undefined) {
        this.prepared(SQL.releaseAllTenants).run();
        this.prepared(SQL.releaseAllRuns).run();
      } else {
        this.prepared(SQL.releaseTenantsOf).run(owner);
        this.prepared(SQL.releaseRunsOf).run(owner);
      }
    });
  }

  claimFinishes(
    owner: string,
    leaseUntil: number,
    now: number,
    key?: RunKey,
  ): Promise<RunRecord[]> {
    const candidates = key
      ? this.prepared(SQL.isDone)
          .all(key.partnerTenantId, key.operationId)
          .map(() => key)
      : this.prepared(SQL.candidateFinishes).all(now);
    if (candidates.length === 0) return Promise.resolve([]);
    return this.write(() =>
      candidates.flatMap((candidate) =>
        this.prepared(SQL.claimFinish)
          .all(owner, leaseUntil, candidate.partnerTenantId, candidate.operationId, now)
          .map(runFromRow),
      ),
    );
  }

  finish(run: RunRecord, owner: string, finishedAt: number, message?: string): Promise<void> {
    return this.write(() => {
      this.prepared(SQL.finish).run(
        finishedAt,
        message ?? null,
        run.partnerTenantId,
        run.operationId,
        run.run,
        owner,
      );
    });
  }

  progress(run: RunRecord): Promise<RunProgress> {
    return Promise.resolve(
      progressFromRow(this.get(SQL.progress, run.partnerTenantId, run.operationId, run.run)),
    );
  }

  outcomes(
    run: RunRecord,
    after: { run: number; position: number } | undefined,
    limit: number,
  ): Promise<TenantOutcomeRecord[]> {
    const rows = this.prepared(SQL.latestOutcomes).all(
      ...latestOutcomesParameters(run, after, limit),
    );
    return Promise.resolve(rows.map(outcomeFromRow));
  }

  private insertTenants(key: RunKey, run: number, tenants: NewRun['tenants']): void {
    const insert = this.prepared(SQL.insertTenant);
    const insertSkipped = this.prepared(SQL.insertSkippedTenant);
    tenants.forEach((tenant, position) => {
      const values = [
        key.partnerTenantId,
        key.operationId,
        run,
        tenant.targetTenantId,
        position,
        tenant.resultId,
      ];
      if (tenant.skipped === undefined) insert.run(...values);
      else insertSkipped.run(...values, tenant.skipped);
    });
  }

  /** A write, group-committed; inside a unit of work, at once, in its transaction. */
  private write<T>(write: () => T): Promise<T> {
    if (this.transactions.manager) return this.writer.run(async () => write());
    return sharedGroupCommit(this.writer, () => this.connection).run(write);
  }

  private prepared(sql: string): SqliteStatement {
    return this.sql.prepared(sql);
  }

  private get(sql: string, ...parameters: unknown[]): Record<string, unknown> | undefined {
    return this.sql.get(sql, ...parameters);
  }

  private get connection(): SqliteConnection {
    return this.sql.connection;
  }
}
