import { AtomicWork } from '../../database/atomic-work';
import { RunHistoryStore } from '../../database/stores/run-history.store';
import { scheduleAfterRun } from '../../schedules/schedule-plan';
import { EntityStore } from '../../database/stores/entity.store';
import { isLostRace } from '../../database/stores/store-errors';
import {
  RunEnd,
  RunProgress,
  RunQueueStore,
  RunRecord,
} from '../../database/stores/run-queue.store';
import { Entity } from '../../edm/entity';
import {
  ManagedTenantOperationProperties,
  ManagedTenantOperationResultProperties,
} from '../../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../../edm/primitive-formats';
import { describeBytes } from '../../integrations/outbound-call';
import { Clock } from '../../jobs/clock';
import { parseAggregation } from '../statements';
import { EngineErrors } from './engine-errors';

/** At most this many tenantExceptions are kept in the aggregate; executionInfo counts the rest. */
export const MAX_TENANT_EXCEPTIONS = 1_000;
/** Result rows read at once when a run is summed up (each may hold a tenant's many rows). */
const RESULTS_PER_READ = 25;
/** Tenant outcomes read at once. */
const OUTCOMES_PER_READ = 500;
/** Times the unit that ends a run is tried when it loses a race with another write. */
const MAX_END_ATTEMPTS = 5;

/** How the write of a run's end went: kept, or undone because the operation's write failed. */
type AggregateWrite =
  { readonly saved: true } | { readonly saved: false; readonly failure: unknown };

/** The aggregate of a run, before it is written. */
interface Aggregate {
  readonly rows: string[];
  readonly full: boolean;
  readonly tenantExceptions: Array<{ tenantId: string; exception: string }>;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * Sums a finished run up into its operation: the status, and the aggregate result from the last
 * outcome of each tenant (the rows of the tenants that succeeded, in order, at most the
 * aggregation's limit and ENGINE_MAX_AGGREGATE_BYTES; one tenantException per tenant that did
 * not, at most MAX_TENANT_EXCEPTIONS), and marks the run finished in the same transaction.
 */
export class RunSummarizer {
  constructor(
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly results: EntityStore<ManagedTenantOperationResultProperties>,
    private readonly queue: RunQueueStore,
    private readonly history: RunHistoryStore,
    private readonly atomicWork: AtomicWork,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly maxAggregateBytes: number,
    private readonly errors: EngineErrors,
    /** The runs kept per operation (RUN_HISTORY_LIMIT). */
    private readonly historyLimit: number,
    /** Told of each run summed up: its status and how long it took (metrics). */
    private readonly summedUp: (status: string, durationMs: number) => void = () => undefined,
  ) {}

  /** Sums `run` up (`message`: why it could not run its tenants); false if its operation is gone. */
  async finalize(run: RunRecord, message?: string): Promise<boolean> {
    const scope = { tenantId: run.partnerTenantId };
    const operation = await this.operations.findById(scope, run.operationId);
    if (!operation) return false;
    const aggregate = await this.aggregate(run, rowLimitOf(operation));
    const { rows, succeeded, failed, skipped, tenantExceptions } = aggregate;
    const status =
      run.stop === 'cancelled'
        ? 'cancelled'
        : failed > 0 || skipped > 0 || message !== undefined || run.message !== null
          ? 'failed'
          : 'succeeded';
    const progress = await this.queue.progress(run);
    const finishedAt = this.clock.now();
    const tenants = succeeded + failed + skipped;
    const summary = [
      `Run ${run.run} ${status}`,
      `${tenants} tenant${tenants === 1 ? '' : 's'}: ${succeeded} succeeded, ${failed} failed${skipped ? `, ${skipped} not run` : ''}`,
      `${progress.calls} calls in this run${progress.retries ? ` (${progress.retries} retried)` : ''}`,
      `${((finishedAt - run.startedAt) / 1000).toFixed(1)} s`,
      ...(tenantExceptions.length < failed + skipped
        ? [`${failed + skipped - tenantExceptions.length} more tenant exceptions not listed`]
        : []),
      ...(aggregate.full
        ? [
            `the aggregate stopped at ${rows.length} rows: its rows reached ${describeBytes(this.maxAggregateBytes)} (ENGINE_MAX_AGGREGATE_BYTES)`,
          ]
        : []),
    ].join('; ');
    let failure = message ?? run.message ?? undefined;
    const trigger = status === 'failed' ? await this.history.triggerOf(run) : 'manual';
    const write = (rowsKept: string[]) =>
      this.operations.update(scope, run.operationId, (current) => ({
        ...current,
        lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
        properties: {
          ...current.properties,
          status,
          schedule: scheduleAfterRun(current.properties.schedule, status, trigger),
          result: {
            ...current.properties.result,
            isComplete: true,
            isSuccess: status === 'succeeded',
            exception: failure ?? null,
            executionInfo: `${summary}.`,
            tenantExceptions,
            result: rowsKept,
            lastModifiedDateTime: toUtcDateTimeOffset(new Date(finishedAt)),
          },
        },
      }));
    // The operation's final status and the run's end are one unit: a client never sees the
    // operation ended while its run is still finishing (and may not yet change what it runs).
    // A unit that lost a race with another write of the operation (a PATCH, another instance's
    // progress) or that the database ended to settle a deadlock runs again, reading afresh.
    const endOnce = (rowsKept: string[]) =>
      this.atomicWork.run<AggregateWrite>(async () => {
        try {
          await write(rowsKept);
        } catch (error) {
          if (isLostRace(error)) throw error;
          return { result: { saved: false, failure: error }, commit: false };
        }
        await this.queue.finish(
          run,
          this.owner,
          finishedAt,
          runEnd(run, progress, finishedAt, message ?? run.message ?? undefined),
          message,
        );
        return { result: { saved: true }, commit: true };
      });
    const end = async (rowsKept: string[]): Promise<AggregateWrite> => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await endOnce(rowsKept);
        } catch (error) {
          if (!isLostRace(error) || attempt >= MAX_END_ATTEMPTS) throw error;
        }
      }
    };
    const ended = await end(rows);
    if (!ended.saved) {
      // The run ends all the same: without its aggregate, saying why (a failure to write the
      // aggregate must not leave the run to be summed up again and again).
      if (rows.length === 0) throw ended.failure;
      failure = this.errors.internal(
        `The run's aggregate of ${rows.length} rows could not be saved; the tenants' own rows are in results`,
        ended.failure,
        `operation ${run.operationId} run ${run.run}`,
      );
      const endedWithout = await end([]);
      if (!endedWithout.saved) throw endedWithout.failure;
    }
    await this.history.pruneHistory(run, this.historyLimit);
    this.errors.log(`Operation ${run.operationId} run ${run.run}: ${summary}`);
    this.summedUp(status, finishedAt - run.startedAt);
    return true;
  }

  /**
   * The aggregate from the tenants' last outcomes, read a page at a time; the succeeded tenants'
   * result rows a few reads at a time, while the aggregate still takes rows (a tenant's rows may
   * be large, and only what the aggregate keeps is held at once).
   */
  private async aggregate(run: RunRecord, limit: number): Promise<Aggregate> {
    const scope = { tenantId: run.partnerTenantId };
    const rows: string[] = [];
    const tenantExceptions: Aggregate['tenantExceptions'] = [];
    let bytes = 0;
    let full = false;
    let succeeded = 0;
    let failed = 0;
    let skipped = 0;
    let after: { run: number; position: number } | undefined;
    for (;;) {
      const page = await this.queue.outcomes(run, after, OUTCOMES_PER_READ);
      const succeededIds = page.filter((o) => o.outcome === 'succeeded').map((o) => o.resultId);
      const read = new Map<string, Entity<ManagedTenantOperationResultProperties>>();
      let readUpTo = 0;
      const resultAt = async (index: number) => {
        if (index >= readUpTo) {
          const ids = succeededIds.slice(readUpTo, readUpTo + RESULTS_PER_READ);
          read.clear();
          for (const result of await this.results.findByIds(scope, ids))
            read.set(result.id, result);
          readUpTo += ids.length;
        }
        return read.get(succeededIds[index]);
      };
      let succeededInPage = 0;
      for (const outcome of page) {
        if (outcome.outcome === 'succeeded') {
          succeeded += 1;
          succeededInPage += 1;
          if (rows.length >= limit || full) continue;
          const result = await resultAt(succeededInPage - 1);
          for (const row of result?.properties.result ?? []) {
            if (rows.length >= limit) break;
            bytes += Buffer.byteLength(row);
            if (bytes > this.maxAggregateBytes) {
              full = true;
              break;
            }
            rows.push(row);
          }
        } else {
          if (outcome.outcome === 'failed') failed += 1;
          else skipped += 1;
          if (tenantExceptions.length < MAX_TENANT_EXCEPTIONS) {
            tenantExceptions.push({
              tenantId: outcome.targetTenantId,
              exception: outcome.message ?? 'Failed.',
            });
          }
        }
      }
      if (page.length < OUTCOMES_PER_READ) break;
      after = { run: page[page.length - 1].run, position: page[page.length - 1].position };
    }
    return { rows, full, tenantExceptions, succeeded, failed, skipped };
  }
}

/**
 * How the run itself ended, for its history row: its own tenants and calls (a run of the
 * tenants that had not succeeded counts those only; the operation's aggregate counts them all).
 */
export function runEnd(
  run: RunRecord,
  progress: RunProgress,
  finishedAt: number,
  failure: string | undefined,
): RunEnd {
  const status =
    run.stop === 'cancelled'
      ? 'cancelled'
      : progress.failed > 0 || progress.skipped > 0 || failure !== undefined
        ? 'failed'
        : 'succeeded';
  const tenants = progress.total;
  const parts = [
    `Run ${run.run} ${status}`,
    `${tenants} tenant${tenants === 1 ? '' : 's'}: ${progress.succeeded} succeeded, ${progress.failed} failed${progress.skipped ? `, ${progress.skipped} not run` : ''}`,
    `${progress.calls} call${progress.calls === 1 ? '' : 's'}${progress.retries ? ` (${progress.retries} retried)` : ''}`,
    `${((finishedAt - run.startedAt) / 1000).toFixed(1)} s`,
    ...(failure === undefined ? [] : [failure]),
  ];
  return { status, progress, executionInfo: `${parts.join('; ')}.` };
}

/** The aggregation's row limit (the default when the definition no longer parses). */
function rowLimitOf(operation: Entity<ManagedTenantOperationProperties>): number {
  try {
    return parseAggregation(operation.properties.aggregationDefinition?.value).limit;
  } catch {
    return parseAggregation('').limit;
  }
}
