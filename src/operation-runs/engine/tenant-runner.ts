import { EntityStore } from '../../database/stores/entity.store';
import { RunQueueStore, TenantTask } from '../../database/stores/run-queue.store';
import { ManagedTenantOperationResultProperties } from '../../edm/model';
import { RecordedCall, TenantRun, TenantRunOutcome } from '../tenant-run';
import { EngineErrors } from './engine-errors';
import { TenantCompletion } from './engine-types';
import { RunPlans } from './run-plans';

/**
 * Runs one claimed tenant: what to write when it is done, or nothing (given back at shutdown, or
 * its run is gone). A tenant claimed before whose result row exists is done once; a tenant of a
 * stopped run is reported not run; a tenant stopped by a cancel is failed, saying so.
 */
export class TenantRunner {
  constructor(
    private readonly tenantRun: TenantRun,
    private readonly plans: RunPlans,
    private readonly queue: RunQueueStore,
    private readonly results: EntityStore<ManagedTenantOperationResultProperties>,
    private readonly errors: EngineErrors,
    private readonly maxTenantBytes: number,
  ) {}

  /**
   * `signal` aborts the tenant's calls; `shuttingDown` says whether that was a shutdown (the
   * tenant is given back, not recorded, so that the next worker runs it whole) or a cancel.
   */
  async run(
    task: TenantTask,
    signal: AbortSignal,
    shuttingDown: () => boolean,
  ): Promise<TenantCompletion | undefined> {
    const scope = { tenantId: task.partnerTenantId };
    // Claimed before: its worker may have died after writing the result row.
    const recorded =
      task.claims > 1 ? await this.results.findById(scope, task.resultId) : undefined;
    if (recorded) {
      return {
        task,
        outcome: recorded.properties.isSuccess === true ? 'succeeded' : 'failed',
        message: recorded.properties.exception ?? null,
      };
    }
    const run = await this.queue.find(task);
    if (!run || run.run !== task.run) return undefined;
    const plan = await this.plans.planOf(task);
    if (!plan) return undefined;
    const { belongsTo } = plan;
    const stop = run.stop ?? plan.stoppedHere;
    if (stop) {
      const message =
        stop === 'cancelled'
          ? 'Not run: the operation was cancelled before this tenant started.'
          : 'Not run: failOnFirstError stopped the operation after a tenant failed.';
      return {
        task,
        belongsTo,
        result: {
          isSuccess: false,
          rows: [],
          bytes: 0,
          exception: message,
          executionInfo: 'not run',
        },
        outcome: 'skipped',
        message,
      };
    }
    // The calls' rows are written with the tenant's result.
    const httpCalls: RecordedCall[] = [];
    let outcome: TenantRunOutcome;
    try {
      outcome = await this.tenantRun.run({
        targetTenantId: task.targetTenantId,
        statements: plan.statements,
        rowLimit: plan.rowLimit,
        maxBytes: this.maxTenantBytes,
        logLevel: plan.logLevel,
        credentials: plan.credentials,
        signal,
        record: (call) => {
          httpCalls.push(call);
          return Promise.resolve();
        },
      });
    } catch (error) {
      outcome = {
        isSuccess: false,
        rows: [],
        bytes: 0,
        exception: this.errors.internal(
          'The tenant could not be run',
          error,
          `tenant ${task.targetTenantId} of operation ${task.operationId}`,
        ),
        executionInfo: 'not run',
        calls: 0,
        retries: 0,
      };
    }
    if (signal.aborted && shuttingDown()) return undefined;
    if (signal.aborted) {
      outcome = {
        ...outcome,
        isSuccess: false,
        rows: [],
        bytes: 0,
        exception: 'Stopped: the operation was cancelled while this tenant ran.',
      };
    }
    if (!outcome.isSuccess && plan.failOnFirstError) {
      plan.stoppedHere = 'failedFirst';
      await this.queue.stop(task, 'failedFirst');
    }
    return {
      task,
      belongsTo,
      httpCalls,
      result: outcome,
      outcome: outcome.isSuccess ? 'succeeded' : 'failed',
      message: outcome.exception,
      calls: outcome.calls,
      retries: outcome.retries,
    };
  }
}
