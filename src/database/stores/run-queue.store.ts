import { Injectable } from '@nestjs/common';
import { SqlExecutor, SqlSession } from '../sql-executor';
import { isUniqueViolation } from './store-errors';
import { CompletionTally, countDeltaValues, TENANTS_WRITER } from './run-counts';
import { countValues, progressCounts, RUN_HISTORY_SQL, runStartValues } from './run-history-sql';
import {
  byPosition,
  outcomeFromRow,
  progressFromRow,
  runFromRow,
  runQueueSql,
  TENANT_ROW_VALUES,
  taskFromRow,
  tenantInserts,
} from './run-queue-sql';
import {
  Completion,
  NewRun,
  RunEnd,
  RunKey,
  RunProgress,
  RunRecord,
  RunStop,
  TenantOutcomeRecord,
  TenantTask,
} from './run-queue.records';

export * from './run-queue.records';

/** Rows per multi-row INSERT of a run's tenants (well under either database's parameter cap). */
const TENANTS_PER_INSERT = 1_000;

/**
 * The work of running operations, as the engine needs it of the database, on either database
 * (SqlExecutor). Every piece of work is a row, claimed with a lease: a worker that dies leaves
 * rows whose leases run out, and any worker takes them over. On PostgreSQL, claims skip the rows
 * another instance is claiming (`FOR UPDATE SKIP LOCKED`), so that every instance works the same
 * queue without waiting for, or doubling, another's work; on SQLite one process works it.
 */
@Injectable()
export class RunQueueStore {
  private readonly sql: ReturnType<typeof runQueueSql>;

  constructor(private readonly db: SqlExecutor) {
    this.sql = runQueueSql(db.dialect);
  }

  /** Whether one process works this queue (SQLite): then it takes back every claim at start. */
  get singleProcess(): boolean {
    return this.db.singleProcess;
  }

  /** The operation's current run, if it was ever run. */
  async find(key: RunKey, session: SqlSession = this.db): Promise<RunRecord | undefined> {
    const row = await session.get(this.sql.findRun, [key.partnerTenantId, key.operationId]);
    return row ? runFromRow(row) : undefined;
  }

  /**
   * Starts a run, unless one is under way: `false` then. The run row (replaced if an earlier
   * run finished) and its tenants are written in one transaction.
   */
  async start(run: NewRun): Promise<boolean> {
    const { sql } = this;
    try {
      return await this.db.transaction(async (session) => {
        const key = [run.partnerTenantId, run.operationId];
        const existing = await session.get(sql.findRunForUpdate, key);
        const state = run.expanding ? 'expanding' : 'running';
        if (existing) {
          const changed = await session.run(sql.restartRun, [
            run.run,
            run.baseRun,
            state,
            run.startedAt,
            run.traceparent ?? null,
            ...key,
          ]);
          if (changed === 0) return false;
          await session.run(sql.forgetSupersededTenants, [...key, run.baseRun]);
          await session.run(sql.forgetSupersededCounts, [...key, run.baseRun]);
        } else {
          await session.run(sql.insertRun, [
            ...key,
            run.run,
            run.baseRun,
            state,
            run.startedAt,
            run.traceparent ?? null,
          ]);
        }
        await this.insertTenants(session, run, run.tenants);
        await session.run(RUN_HISTORY_SQL.start, runStartValues(run));
        return true;
      });
    } catch (error) {
      // Two first runs of one operation at once (instances sharing PostgreSQL): the primary key
      // lets one in.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Marks a run under way as stopping; `false` if none is under way. */
  async stop(key: RunKey, stop: RunStop): Promise<boolean> {
    const sql = stop === 'cancelled' ? this.sql.stopCancelled : this.sql.stopFailedFirst;
    return (await this.db.run(sql, [key.partnerTenantId, key.operationId])) > 0;
  }

  /** Tenants in the order the run takes them, that the last run of each did not succeed in. */
  async unsuccessfulTenants(key: RunKey): Promise<string[]> {
    const rows = await this.db.all(this.sql.unsuccessful, [key.partnerTenantId, key.operationId]);
    return rows.map((row) => row.targetTenantId as string);
  }

  /**
   * Claims runs whose tenants are to be listed (none claimed, or a lease ran out), forgetting
   * what an abandoned listing of each had added.
   */
  async claimExpansions(owner: string, leaseUntil: number, now: number): Promise<RunRecord[]> {
    const candidates = await this.db.all(this.sql.candidateExpansions, [now]);
    if (candidates.length === 0) return [];
    return this.db.transaction(async (session) => {
      const claimed: RunRecord[] = [];
      for (const key of candidates) {
        const changed = await session.run(this.sql.claimRun, [
          owner,
          leaseUntil,
          key.partnerTenantId,
          key.operationId,
          now,
        ]);
        const run = changed > 0 ? await this.find(key as unknown as RunKey, session) : undefined;
        if (!run) continue;
        const runKey = [run.partnerTenantId, run.operationId, run.run];
        await session.run(this.sql.forgetListedTenants, runKey);
        await session.run(this.sql.forgetCounts, runKey);
        claimed.push(run);
      }
      return claimed;
    });
  }

  /**
   * Adds a page of the tenants a claimed expansion lists, from `firstPosition` on; returns how
   * many it added (a tenant the run has already is not added again), or undefined when the run
   * is no longer `owner`'s to list.
   */
  addListedTenants(
    run: RunRecord,
    owner: string,
    tenants: NewRun['tenants'],
    firstPosition: number,
  ): Promise<number | undefined> {
    return this.db.transaction(async (session) => {
      const key = [run.partnerTenantId, run.operationId, run.run, owner];
      if (!(await session.get(this.sql.isExpandingBy, key))) return undefined;
      return this.insertTenants(session, run, tenants, firstPosition);
    });
  }

  /**
   * The claimed expansion is over: the run goes on with the tenants it listed, or, when the
   * listing failed part way (`listed` false), with none. `false` if the run was no longer
   * `owner`'s to list.
   */
  expanded(run: RunRecord, owner: string, listed: boolean): Promise<boolean> {
    return this.db.transaction(async (session) => {
      const key = [run.partnerTenantId, run.operationId, run.run];
      const changed = await session.run(this.sql.expanded, [...key, owner]);
      if (changed > 0 && !listed) {
        await session.run(this.sql.forgetListedTenants, key);
        await session.run(this.sql.forgetCounts, key);
      }
      return changed > 0;
    });
  }

  /** Runs with tenants to claim, at most `limit`. */
  async runsWithWork(now: number, limit: number): Promise<RunRecord[]> {
    return (await this.db.all(this.sql.runsWithWork, [now, limit])).map(runFromRow);
  }

  /** When the run that has waited longest with tenants to claim started; none when none waits. */
  async oldestWaitingSince(now: number): Promise<number | undefined> {
    const since = (await this.db.get(this.sql.oldestWaiting, [now]))?.since;
    return since === null || since === undefined ? undefined : Number(since);
  }

  /** Claims up to `limit` of a run's tenants that nobody holds, in their order. */
  claimTenants(
    run: RunRecord,
    owner: string,
    leaseUntil: number,
    now: number,
    limit: number,
  ): Promise<TenantTask[]> {
    return this.db.transaction(async (session) => {
      const key = [run.partnerTenantId, run.operationId, run.run];
      const expired = await session.all(this.sql.claimExpired, [
        owner,
        leaseUntil,
        ...key,
        now,
        limit,
      ]);
      const pending =
        expired.length < limit
          ? await session.all(this.sql.claimPending, [
              owner,
              leaseUntil,
              ...key,
              limit - expired.length,
            ])
          : [];
      return byPosition([...expired, ...pending].map(taskFromRow));
    });
  }

  /** Extends every lease `owner` holds. */
  renewLeases(owner: string, leaseUntil: number): Promise<void> {
    return this.db.transaction(async (session) => {
      await session.run(this.sql.renewTenants, [leaseUntil, owner]);
      await session.run(this.sql.renewRuns, [leaseUntil, owner]);
    });
  }

  /** Records a tenant's outcome, if `owner` still holds it; `false` if it lost the claim. */
  async complete(task: TenantTask, owner: string, completion: Completion): Promise<boolean> {
    const [completed] = await this.completeAll(owner, [{ task, completion }]);
    return completed;
  }

  /**
   * Records the outcomes of tenants `owner` holds, in one transaction with the counts of their
   * runs; for each, whether it still held it (a tenant whose claim was lost is not counted).
   */
  completeAll(
    owner: string,
    completions: ReadonlyArray<{ readonly task: TenantTask; readonly completion: Completion }>,
  ): Promise<boolean[]> {
    if (completions.length === 0) return Promise.resolve([]);
    return this.db.transaction(async (session) => {
      const tally = new CompletionTally();
      const completed: boolean[] = [];
      for (const { task, completion } of completions) {
        const changed = await session.run(this.sql.complete, [
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
        completed.push(changed > 0);
        if (changed > 0) tally.add(task, completion);
      }
      for (const values of tally.valuesBy(owner)) await session.run(this.sql.addCounts, values);
      return completed;
    });
  }

  /** Gives back what `owner` holds, for the next claim (graceful shutdown; a restart on SQLite). */
  release(owner?: string): Promise<void> {
    return this.db.transaction(async (session) => {
      if (owner === undefined) {
        await session.run(this.sql.releaseAllTenants);
        await session.run(this.sql.releaseAllRuns);
      } else {
        await session.run(this.sql.releaseTenantsOf, [owner]);
        await session.run(this.sql.releaseRunsOf, [owner]);
      }
    });
  }

  /** Claims runs that have no tenant left to run and are not summed up yet (or whose summing died). */
  async claimFinishes(
    owner: string,
    leaseUntil: number,
    now: number,
    key?: RunKey,
  ): Promise<RunRecord[]> {
    const candidates = key
      ? (await this.db.all(this.sql.isDone, [key.partnerTenantId, key.operationId])).map(() => key)
      : ((await this.db.all(this.sql.candidateFinishes, [now])) as unknown as RunKey[]);
    if (candidates.length === 0) return [];
    return this.db.transaction(async (session) => {
      const claimed: RunRecord[] = [];
      for (const candidate of candidates) {
        const rows = await session.all(this.sql.claimFinish, [
          owner,
          leaseUntil,
          candidate.partnerTenantId,
          candidate.operationId,
          now,
        ]);
        claimed.push(...rows.map(runFromRow));
      }
      return claimed;
    });
  }

  /** Marks a claimed run finished, and its history row with how it ended. */
  finish(
    run: RunRecord,
    owner: string,
    finishedAt: number,
    end: RunEnd,
    message?: string,
  ): Promise<void> {
    return this.db.transaction(async (session) => {
      const key = [run.partnerTenantId, run.operationId, run.run];
      const changed = await session.run(this.sql.finish, [
        finishedAt,
        message ?? null,
        ...key,
        owner,
      ]);
      if (changed === 0) return;
      const at = new Date(finishedAt).toISOString();
      await session.run(RUN_HISTORY_SQL.finish, [
        end.status,
        at,
        ...countValues(progressCounts(end.progress)),
        end.executionInfo,
        end.executionInfo,
        at,
        ...key,
      ]);
    });
  }

  async progress(run: RunRecord): Promise<RunProgress> {
    return progressFromRow(
      await this.db.get(this.sql.progress, [run.partnerTenantId, run.operationId, run.run]),
    );
  }

  /**
   * The last outcome of each tenant since the run's base run, in run order, from `after` on, at
   * most `limit`: what the aggregate sums up.
   */
  async outcomes(
    run: RunRecord,
    after: { run: number; position: number } | undefined,
    limit: number,
  ): Promise<TenantOutcomeRecord[]> {
    const from = after ?? { run: run.baseRun, position: -1 };
    const outcomes: TenantOutcomeRecord[] = [];
    for (let each = Math.max(from.run, run.baseRun); each <= run.run; each += 1) {
      if (outcomes.length >= limit) break;
      const rows = await this.db.all(this.sql.latestOutcomesOfRun, [
        run.partnerTenantId,
        run.operationId,
        each,
        each === from.run ? from.position : -1,
        limit - outcomes.length,
      ]);
      outcomes.push(...rows.map(outcomeFromRow));
    }
    return outcomes;
  }

  /**
   * A run's tenants in their order (their positions, from `firstPosition`), many rows per
   * statement; how many were added.
   */
  private async insertTenants(
    session: SqlSession,
    run: RunKey & { readonly run: number },
    tenants: NewRun['tenants'],
    firstPosition = 0,
  ): Promise<number> {
    const perInsert = Math.min(
      TENANTS_PER_INSERT,
      Math.floor(this.db.dialect.maxParameters / TENANT_ROW_VALUES),
    );
    const added = { tenants: 0, skipped: 0 };
    for (const { rows, skipped } of tenantInserts(run, tenants, firstPosition, perInsert)) {
      const inserted = await session.run(this.sql.insertTenants(rows.length), rows.flat());
      added.tenants += inserted;
      if (skipped) added.skipped += inserted;
    }
    if (added.tenants > 0) {
      await session.run(this.sql.addCounts, countDeltaValues(run, TENANTS_WRITER, added));
    }
    return added.tenants;
  }
}
