import { Injectable } from '@nestjs/common';
import { SqlExecutor } from '../sql-executor';
import { countValues, progressCounts, RUN_HISTORY_PRUNE, RUN_HISTORY_SQL } from './run-history-sql';
import { runQueueSql } from './run-queue-sql';
import { RunKey, RunProgress, RunRecord, RunStart } from './run-queue.records';

/**
 * The history of runs beside the run queue (which writes a run's row as it starts and as it
 * ends, in the same transactions as the queue's rows): the number a run takes next, a scheduled
 * slot that did not run, how a run started, the counts of a run under way, and the bound on how
 * many runs an operation keeps.
 */
@Injectable()
export class RunHistoryStore {
  private readonly sql: ReturnType<typeof runQueueSql>;

  constructor(private readonly db: SqlExecutor) {
    this.sql = runQueueSql(db.dialect);
  }

  /**
   * The number the operation's next run takes: after its current run and after every run of its
   * history (a skipped run takes a number without running).
   */
  async nextRunNumber(key: RunKey, current?: RunRecord): Promise<number> {
    const row = await this.db.get(RUN_HISTORY_SQL.lastNumber, [
      key.partnerTenantId,
      key.operationId,
    ]);
    return Math.max(current?.run ?? 0, Number(row?.runNumber ?? 0)) + 1;
  }

  /** Records a scheduled slot that did not run, as a run `skipped` of the next number. */
  async recordSkipped(
    key: RunKey,
    start: RunStart,
    at: number,
    executionInfo: string,
  ): Promise<number> {
    return this.db.transaction(async (session) => {
      const current = await session.get(this.sql.findRunForUpdate, [
        key.partnerTenantId,
        key.operationId,
      ]);
      const last = await session.get(RUN_HISTORY_SQL.lastNumber, [
        key.partnerTenantId,
        key.operationId,
      ]);
      const runNumber = Math.max(Number(current?.run ?? 0), Number(last?.runNumber ?? 0)) + 1;
      const when = new Date(at).toISOString();
      await session.run(RUN_HISTORY_SQL.skipped, [
        key.partnerTenantId,
        key.operationId,
        runNumber,
        start.trigger,
        start.scheduledAt === undefined ? null : new Date(start.scheduledAt).toISOString(),
        when,
        when,
        executionInfo,
        when,
        when,
      ]);
      return runNumber;
    });
  }

  /** How a run started (`manual` when its history row is gone). */
  async triggerOf(run: RunRecord): Promise<RunStart['trigger']> {
    const row = await this.db.get(RUN_HISTORY_SQL.trigger, [
      run.partnerTenantId,
      run.operationId,
      run.run,
    ]);
    return (row?.trigger as RunStart['trigger'] | undefined) ?? 'manual';
  }

  /** The counts of a run under way in its history row, if they changed. */
  async recordProgress(run: RunRecord, progress: RunProgress, at: number): Promise<void> {
    const counts = countValues(progressCounts(progress));
    await this.db.run(RUN_HISTORY_SQL.progress, [
      ...counts,
      new Date(at).toISOString(),
      run.partnerTenantId,
      run.operationId,
      run.run,
      ...counts,
    ]);
  }

  /**
   * Keeps the last `keep` runs of the run's operation: older ones go with the rows they wrote
   * (see RUN_HISTORY_PRUNE). Returns how many runs went.
   */
  pruneHistory(run: RunRecord, keep: number): Promise<number> {
    const cutoff = run.run - keep;
    if (cutoff < 1) return Promise.resolve(0);
    const key = [run.partnerTenantId, run.operationId];
    return this.db.transaction(async (session) => {
      const [results, httpRequests, runs] = RUN_HISTORY_PRUNE;
      await session.run(results, [...key, cutoff, ...key]);
      await session.run(httpRequests, [...key, cutoff]);
      return session.run(runs, [...key, cutoff]);
    });
  }
}
