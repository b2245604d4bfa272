import { EntityStore } from '../../database/stores/entity.store';
import { RunHistoryStore } from '../../database/stores/run-history.store';
import { RunProgress, RunQueueStore, RunRecord } from '../../database/stores/run-queue.store';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../../edm/primitive-formats';
import { Clock } from '../../jobs/clock';

/** What a look at a run under way found. */
export type RunLook = 'running' | 'cancelled' | 'over';

/**
 * The progress of a run under way, in its operation's `result.executionInfo`: how many tenants
 * are done, failed, pending, the calls and the time so far. Written only when it changed.
 */
export class RunProgressWriter {
  constructor(
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly queue: RunQueueStore,
    private readonly history: RunHistoryStore,
    private readonly clock: Clock,
  ) {}

  /** Writes the run's progress; says whether it is still running, was cancelled, or is over. */
  async write(run: RunRecord): Promise<RunLook> {
    const current = await this.queue.find(run);
    if (!current || current.run !== run.run || current.state === 'finished') return 'over';
    const progress = await this.queue.progress(current);
    const info = describeProgress(current, progress, this.clock.now());
    await this.history.recordProgress(current, progress, this.clock.now());
    await this.operations.update(
      { tenantId: run.partnerTenantId },
      run.operationId,
      (operation) => {
        const result = operation.properties.result ?? {};
        if (operation.properties.status !== 'running' || result.executionInfo === info) {
          return operation;
        }
        return {
          ...operation,
          lastModifiedDateTime: laterTimestamp(operation.lastModifiedDateTime),
          properties: {
            ...operation.properties,
            result: {
              ...result,
              executionInfo: info,
              lastModifiedDateTime: toUtcDateTimeOffset(new Date(this.clock.now())),
            },
          },
        };
      },
    );
    return current.stop === 'cancelled' ? 'cancelled' : 'running';
  }
}

/** `executionInfo` of a run under way. */
export function describeProgress(run: RunRecord, progress: RunProgress, now: number): string {
  const done = progress.total - progress.pending;
  return (
    `Run ${run.run} running: ${done} of ${progress.total} tenants done ` +
    `(${progress.succeeded} succeeded, ${progress.failed} failed${progress.skipped ? `, ${progress.skipped} not run` : ''}), ` +
    `${progress.pending} pending; ${progress.calls} calls${progress.retries ? ` (${progress.retries} retried)` : ''}; ` +
    `${((now - run.startedAt) / 1000).toFixed(1)} s.`
  );
}
