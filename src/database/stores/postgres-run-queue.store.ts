import { DataSource, EntityManager } from 'typeorm';
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
import { affectedOf, numbered, rowsOf } from './postgres-results';
import { TransactionContext } from '../transaction-context';

/**
 * The queue's statements with PostgreSQL's numbered placeholders, and claims that skip the rows
 * another instance is claiming (`FOR UPDATE SKIP LOCKED`), so that every instance works the same
 * queue without waiting for, or doubling, another's work.
 */
const SQL = Object.fromEntries(
  Object.entries(runQueueSql(' FOR UPDATE SKIP LOCKED')).map(([name, sql]) => [
    name,
    numbered(sql),
  ]),
) as ReturnType<typeof runQueueSql>;

/** Rows per multi-row INSERT of a run's tenants (7 parameters each, under PostgreSQL's 65,535). */
const TENANTS_PER_INSERT = 1_000;

/**
 * The run queue on PostgreSQL. Inside a unit of work (TransactionContext: the `run` action starts
 * the run and marks the operation running together) its statements run in that transaction; its
 * own transactions nest in it as savepoints.
 */
export class PostgresRunQueueStore extends RunQueueStore {
  readonly singleProcess = false;
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionContext,
  ) {
    super();
  }

  /** The unit of work's connection, or the pool. */
  private get manager(): EntityManager {
    return this.transactions.manager ?? this.dataSource.manager;
  }

  async find(key: RunKey): Promise<RunRecord | undefined> {
    const [row] = await this.rows(SQL.findRun, [key.partnerTenantId, key.operationId]);
    return row ? runFromRow(row) : undefined;
  }

  async start(run: NewRun): Promise<boolean> {
    try {
      return await this.manager.transaction(async (manager) => {
        const key = [run.partnerTenantId, run.operationId];
        const [existing] = await this.rows(SQL.findRunForUpdate, key, manager);
        const state = run.expanding ? 'expanding' : 'running';
        if (existing) {
          const changed = await this.changes(
            SQL.restartRun,
            [run.run, run.baseRun, state, run.startedAt, ...key],
            manager,
          );
          if (changed === 0) return false;
          await manager.query(SQL.forgetSupersededTenants, [...key, run.baseRun]);
        } else {
          await manager.query(SQL.insertRun, [...key, run.run, run.baseRun, state, run.startedAt]);
        }
        await this.insertTenants(manager, run, run.run, run.tenants);
        return true;
      });
    } catch (error) {
      // Two first runs of one operation at once: the primary key lets one in.
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505')
        return false;
      throw error;
    }
  }

  async stop(key: RunKey, stop: RunStop): Promise<boolean> {
    const sql = stop === 'cancelled' ? SQL.stopCancelled : SQL.stopFailedFirst;
    return (await this.changes(sql, [key.partnerTenantId, key.operationId])) > 0;
  }

  async unsuccessfulTenants(key: RunKey): Promise<string[]> {
    const rows = await this.rows(SQL.unsuccessful, [key.partnerTenantId, key.operationId]);
    return rows.map((row) => row.targetTenantId as string);
  }

  async claimExpansions(owner: string, leaseUntil: number, now: number): Promise<RunRecord[]> {
    const claimed: RunRecord[] = [];
    for (const key of await this.rows(SQL.candidateExpansions, [now])) {
      const changed = await this.changes(SQL.claimRun, [
        owner,
        leaseUntil,
        key.partnerTenantId,
        key.operationId,
        now,
      ]);
      const run = changed > 0 ? await this.find(key as unknown as RunKey) : undefined;
      if (run) claimed.push(run);
    }
    return claimed;
  }

  expand(run: RunRecord, owner: string, tenants: NewRun['tenants']): Promise<boolean> {
    return this.manager.transaction(async (manager) => {
      const changed = await this.changes(
        SQL.expanded,
        [run.partnerTenantId, run.operationId, run.run, owner],
        manager,
      );
      if (changed === 0) return false;
      await this.insertTenants(manager, run, run.run, tenants);
      return true;
    });
  }

  async runsWithWork(now: number, limit: number): Promise<RunRecord[]> {
    return (await this.rows(SQL.runsWithWork, [now, limit])).map(runFromRow);
  }

  async claimTenants(
    run: RunRecord,
    owner: string,
    leaseUntil: number,
    now: number,
    limit: number,
  ): Promise<TenantTask[]> {
    const key = [run.partnerTenantId, run.operationId, run.run];
    const expired = await this.rows(SQL.claimExpired, [owner, leaseUntil, ...key, now, limit]);
    const pending =
      expired.length < limit
        ? await this.rows(SQL.claimPending, [owner, leaseUntil, ...key, limit - expired.length])
        : [];
    return byPosition([...expired, ...pending].map(taskFromRow));
  }

  async renewLeases(owner: string, leaseUntil: number): Promise<void> {
    await this.dataSource.query(SQL.renewTenants, [leaseUntil, owner]);
    await this.dataSource.query(SQL.renewRuns, [leaseUntil, owner]);
  }

  async complete(task: TenantTask, owner: string, completion: Completion): Promise<boolean> {
    const changed = await this.changes(SQL.complete, [
      completion.outcome,
      completion.message,
      completion.calls,
      completion.retries,
      task.partnerTenantId,
      task.operationId,
      task.run,
      task.targetTenantId,
      owner,
    ]);
    return changed > 0;
  }

  async release(owner?: string): Promise<void> {
    if (owner === undefined) {
      await this.dataSource.query(SQL.releaseAllTenants);
      await this.dataSource.query(SQL.releaseAllRuns);
    } else {
      await this.dataSource.query(SQL.releaseTenantsOf, [owner]);
      await this.dataSource.query(SQL.releaseRunsOf, [owner]);
    }
  }

  async claimFinishes(
    owner: string,
    leaseUntil: number,
    now: number,
    key?: RunKey,
  ): Promise<RunRecord[]> {
    const candidates = key
      ? (await this.rows(SQL.isDone, [key.partnerTenantId, key.operationId])).map(() => key)
      : ((await this.rows(SQL.candidateFinishes, [now])) as unknown as RunKey[]);
    const claimed: RunRecord[] = [];
    for (const candidate of candidates) {
      const rows = await this.rows(SQL.claimFinish, [
        owner,
        leaseUntil,
        candidate.partnerTenantId,
        candidate.operationId,
        now,
      ]);
      claimed.push(...rows.map(runFromRow));
    }
    return claimed;
  }

  async finish(run: RunRecord, owner: string, finishedAt: number, message?: string): Promise<void> {
    await this.dataSource.query(SQL.finish, [
      finishedAt,
      message ?? null,
      run.partnerTenantId,
      run.operationId,
      run.run,
      owner,
    ]);
  }

  async progress(run: RunRecord): Promise<RunProgress> {
    const [row] = await this.rows(SQL.progress, [run.partnerTenantId, run.operationId, run.run]);
    return progressFromRow(row);
  }

  async outcomes(
    run: RunRecord,
    after: { run: number; position: number } | undefined,
    limit: number,
  ): Promise<TenantOutcomeRecord[]> {
    const rows = await this.rows(SQL.latestOutcomes, latestOutcomesParameters(run, after, limit));
    return rows.map(outcomeFromRow);
  }

  private async insertTenants(
    manager: EntityManager,
    key: RunKey,
    run: number,
    tenants: NewRun['tenants'],
  ): Promise<void> {
    // Tenants reported and not run come after the others (a listing's few bad entries).
    const runnable = tenants.filter((tenant) => tenant.skipped === undefined);
    for (const [index, tenant] of tenants.filter((t) => t.skipped !== undefined).entries()) {
      await this.changes(
        SQL.insertSkippedTenant,
        [
          key.partnerTenantId,
          key.operationId,
          run,
          tenant.targetTenantId,
          runnable.length + index,
          tenant.resultId,
          tenant.skipped,
        ],
        manager,
      );
    }
    for (let start = 0; start < runnable.length; start += TENANTS_PER_INSERT) {
      const chunk = runnable.slice(start, start + TENANTS_PER_INSERT);
      const values: unknown[] = [];
      const rows = chunk.map((tenant, index) => {
        values.push(
          key.partnerTenantId,
          key.operationId,
          run,
          tenant.targetTenantId,
          start + index,
          tenant.resultId,
        );
        const base = index * 6;
        return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, 'pending')`;
      });
      await manager.query(
        `INSERT INTO "operation_run_tenants" ("partnerTenantId", "operationId", "run", "targetTenantId", "position", "resultId", "state") VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }

  private async rows(
    sql: string,
    parameters: unknown[] = [],
    manager: EntityManager = this.manager,
  ): Promise<Array<Record<string, unknown>>> {
    return rowsOf(await manager.query(sql, parameters));
  }

  private async changes(
    sql: string,
    parameters: unknown[],
    manager: EntityManager = this.manager,
  ): Promise<number> {
    return affectedOf(await manager.query(sql, parameters));
  }
}
