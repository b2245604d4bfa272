import { Injectable } from '@nestjs/common';
import { SqlExecutor } from '../sql-executor';
import { RUN_HISTORY_SQL } from './run-history-sql';
import { runQueueSql } from './run-queue-sql';
import { RunKey, RunRecord, RunStart } from './run-queue.records';

/**
 * The history of runs as the schedules need it beside the engine's writes (run-queue.store.ts):
 * the number a run takes next, and a slot that did not run recorded as a skipped run.
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
}
