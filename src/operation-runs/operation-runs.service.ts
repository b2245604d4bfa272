import { Tracing } from '../observability/tracing';
import { Inject, Injectable } from '@nestjs/common';
import { isGuid } from '../edm/primitive-formats';
import { randomUUID } from 'node:crypto';
import { Caller } from '../auth/caller';
import { InvalidRequestError, ItemNotFoundError, StateConflictError } from '../common/errors';
import { AtomicWork } from '../database/atomic-work';
import { EntityStore } from '../database/stores/entity.store';
import { Entity } from '../edm/entity';
import { managedTenantOperation, ManagedTenantOperationProperties } from '../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../edm/primitive-formats';
import { EntitySetRegistry } from '../entity-sets/entity-set.registry';
import { EntitySetService } from '../entity-sets/entity-set.service';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { RunHistoryStore } from '../database/stores/run-history.store';
import { RunQueueStore, RunRecord, RunStart } from '../database/stores/run-queue.store';
import { Clock, CLOCK } from '../jobs/clock';
import { RunWorker } from './run-worker';
import { parseAggregation, parseStatements } from './statements';
import { AuditTrail } from '../audit/audit-trail';

const SET = managedTenantOperation.entitySetName;

type Operation = Entity<ManagedTenantOperationProperties>;

/** The tenants a run takes and its numbers (see RunRecord). */
interface RunPlan {
  readonly run: number;
  readonly baseRun: number;
  /** Its tenants are the partner's customers, listed when it starts (`allTenants`). */
  readonly expanding: boolean;
  readonly tenants: string[];
}

/** The longest `Prefer: wait` honoured, in seconds. */
export const MAX_WAIT_SECONDS = 60;
/** How often a waiting `run` looks whether the run finished. */
const WAIT_POLL_MS = 100;

/**
 * Running operations: `run` and `cancel`. The work itself is the engine's (run-worker.ts), from
 * the database; what a running operation forbids is in running-operation.rules.ts.
 */
@Injectable()
export class OperationRunsService {
  private readonly operations: EntitySetService<ManagedTenantOperationProperties>;

  constructor(
    registry: EntitySetRegistry,
    @Inject(entityStoreToken(managedTenantOperation))
    private readonly store: EntityStore<ManagedTenantOperationProperties>,
    private readonly atomicWork: AtomicWork,
    private readonly queue: RunQueueStore,
    private readonly history: RunHistoryStore,
    private readonly worker: RunWorker,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tracing: Tracing,
  ) {
    this.operations = registry.serviceOf<ManagedTenantOperationProperties>(managedTenantOperation);
  }

  /**
   * Starts the operation's run: in every target tenant the first time, and again only in the
   * tenants that did not succeed when it ran before (all of them when every tenant succeeded).
   * With `waitSeconds`, waits up to that long for the run to finish.
   */
  async run(
    caller: Caller,
    id: string,
    waitSeconds = 0,
  ): Promise<{ operation: Operation; finished: boolean }> {
    const operation = await this.operations.get(caller, id);
    const key = { partnerTenantId: caller.tenantId, operationId: id };
    const plan = await this.planRun(caller.tenantId, operation, 'notSucceededFirst');
    const updated = await this.begin(
      caller.tenantId,
      operation,
      plan,
      {
        trigger: 'manual',
        initiatedByUserId: caller.userId,
        initiatedByAppId: caller.applicationId ?? null,
      },
      undefined,
      caller,
    );
    const finished =
      waitSeconds > 0 &&
      (await this.waitForFinish(key, plan.run, Math.min(waitSeconds, MAX_WAIT_SECONDS)));
    return {
      operation: finished ? await this.operations.get(caller, id) : updated,
      finished,
    };
  }

  /**
   * Starts a scheduled run of the operation as it was read, in all its targets: `claim` takes the
   * slot from the operation as it is when the run starts (in the same transaction), returning
   * its schedule after the slot, or throws when the slot is no longer due (another instance took
   * it, or a client changed the operation). A run under way is a conflict (StateConflictError).
   */
  async runScheduled(
    partnerTenantId: string,
    operation: Operation,
    start: RunStart,
    claim: (current: Operation) => Operation['properties']['schedule'],
    /** The operation's last run, when the caller read it just now (it is not read again). */
    known?: { readonly previous: RunRecord | undefined },
  ): Promise<Operation> {
    const plan = await this.planRun(partnerTenantId, operation, 'allTargets', known);
    return this.begin(partnerTenantId, operation, plan, start, claim);
  }

  /**
   * Which tenants the next run takes and the number it gets: a manual run takes, after a run
   * that some tenants did not succeed in, those tenants only; otherwise, and for scheduled runs,
   * every target.
   */
  private async planRun(
    partnerTenantId: string,
    operation: Operation,
    scope: 'notSucceededFirst' | 'allTargets',
    known?: { readonly previous: RunRecord | undefined },
  ): Promise<RunPlan> {
    const id = operation.id;
    const definition = operation.properties.operationDefinition ?? {};
    parseStatements(definition.value ?? '');
    parseAggregation(operation.properties.aggregationDefinition?.value);
    const key = { partnerTenantId, operationId: id };
    const previous = known ? known.previous : await this.queue.find(key);
    if (previous && previous.state !== 'finished') throw runningConflict(id);
    const run = await this.history.nextRunNumber(key, previous);
    // A customerId that was not a tenant id was reported, never run: a run again skips it.
    const target = operation.properties.target ?? {};
    const excluded = new Set(
      (target.excludedTenantIds ?? []).map((tenant) => tenant.toLowerCase()),
    );
    const failedBefore =
      previous && scope === 'notSucceededFirst'
        ? (await this.queue.unsuccessfulTenants(key)).filter(
            (tenant) => isGuid(tenant) && !excluded.has(tenant),
          )
        : [];
    if (previous && failedBefore.length > 0) {
      return { run, baseRun: previous.baseRun, expanding: false, tenants: failedBefore };
    }
    // The partner's customers and the groups' members are worked out when the run starts.
    if (target.allTenants === true || (target.tenantGroupIds ?? []).length > 0) {
      return { run, baseRun: run, expanding: true, tenants: [] };
    }
    const named = [...new Set((target.tenantIds ?? []).map((tenant) => tenant.toLowerCase()))];
    const tenants = named.filter((tenant) => !excluded.has(tenant));
    if (tenants.length === 0) {
      throw new InvalidRequestError(
        named.length > 0
          ? 'Every tenant of target.tenantIds is in target.excludedTenantIds: there is no tenant to run in.'
          : 'The operation has no tenant to run in: set target.tenantIds, target.tenantGroupIds, or target.allTenants to true.',
      );
    }
    return { run, baseRun: run, expanding: false, tenants };
  }

  /**
   * Starts the run in a span of its own (the child of the `run` request's, or of the schedule's
   * firing), whose traceparent the run keeps: every tenant of the run is traced as its child.
   */
  private begin(
    partnerTenantId: string,
    operation: Operation,
    plan: RunPlan,
    start: RunStart,
    claim?: (current: Operation) => Operation['properties']['schedule'],
    caller?: Caller,
  ): Promise<Operation> {
    const attributes = {
      'mto.partner_tenant.id': partnerTenantId,
      'mto.operation.id': operation.id,
      'mto.run.number': plan.run,
      'mto.run.trigger': start.trigger,
      'mto.run.tenant_count': plan.tenants.length,
    };
    return this.tracing.inSpan('run managedTenantOperation', { attributes }, () =>
      this.startRun(partnerTenantId, operation, plan, start, claim, caller),
    );
  }

  /** One unit of work: the run starts and the operation says so together, or neither happens. */
  private async startRun(
    partnerTenantId: string,
    operation: Operation,
    plan: RunPlan,
    start: RunStart,
    claim?: (current: Operation) => Operation['properties']['schedule'],
    caller?: Caller,
  ): Promise<Operation> {
    const id = operation.id;
    const audited = await this.audit.prepare(caller, {
      partnerTenantId,
      activity: `${SET}.${claim ? 'scheduledRun' : 'run'}`,
      category: SET,
      body: {
        id,
        runNumber: plan.run,
        trigger: start.trigger,
        ...(start.scheduledAt === undefined
          ? {}
          : { scheduledDateTime: toUtcDateTimeOffset(new Date(start.scheduledAt)) }),
      },
      tenantIds: plan.tenants,
    });
    const scope = { tenantId: partnerTenantId };
    const key = { partnerTenantId, operationId: id };
    const { run, baseRun, expanding, tenants } = plan;
    const startedAt = this.clock.now();
    const now = toUtcDateTimeOffset(new Date(startedAt));
    const again = run !== baseRun;
    const count = `${tenants.length} tenant${tenants.length === 1 ? '' : 's'}`;
    const updated = await this.atomicWork.run(async () => {
      const marked = await this.store.update(scope, id, (current) => ({
        ...current,
        lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
        properties: {
          ...current.properties,
          ...(claim ? { schedule: claim(current) } : {}),
          status: 'running',
          result: {
            ...(again ? current.properties.result : {}),
            createdDateTime: now,
            lastModifiedDateTime: now,
            isComplete: false,
            isSuccess: null,
            exception: null,
            executionInfo: expanding
              ? `Run ${run} started: working out its tenants (the partner's customers, its groups' members).`
              : `Run ${run} started${again ? ` again in the ${count} that did not succeed` : ''}: ${count} pending.`,
            ...(again ? {} : { tenantExceptions: [], result: [] }),
          },
        },
      }));
      // Deleted meanwhile: its run does not start either.
      if (!marked) throw new ItemNotFoundError(managedTenantOperation.entitySetName, id);
      const started = await this.queue.start({
        ...key,
        run,
        baseRun,
        expanding,
        startedAt,
        start,
        traceparent: this.tracing.currentTraceparent(),
        tenants: tenants.map((targetTenantId) => ({ targetTenantId, resultId: randomUUID() })),
      });
      if (!started) throw runningConflict(id);
      await audited.write();
      return { result: marked, commit: true };
    });
    this.worker.wake();
    return updated;
  }

  /** Stops a running operation: tenants not started are not started; it ends `cancelled`. */
  async cancel(caller: Caller, id: string): Promise<Operation> {
    const operation = await this.operations.get(caller, id);
    const audited = await this.audit.prepare(caller, {
      partnerTenantId: caller.tenantId,
      activity: `${SET}.cancel`,
      category: SET,
      tenantIds: operation.properties.target?.tenantIds ?? [],
    });
    const stopped = await this.atomicWork.run(async () => {
      const done = await this.queue.stop(
        { partnerTenantId: caller.tenantId, operationId: id },
        'cancelled',
      );
      if (done) await audited.write();
      return { result: done, commit: done };
    });
    if (!stopped) {
      throw new StateConflictError(
        'operationNotRunning',
        `The managedTenantOperation '${id}' has no run in progress; there is nothing to cancel.`,
      );
    }
    // The tenants in flight here stop at once; other instances stop theirs when they see it.
    this.worker.stopRun({ partnerTenantId: caller.tenantId, operationId: id });
    this.worker.wake();
    return operation;
  }

  private async waitForFinish(
    key: { partnerTenantId: string; operationId: string },
    run: number,
    seconds: number,
  ): Promise<boolean> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const current: RunRecord | undefined = await this.queue.find(key);
      if (!current || current.run !== run || current.state === 'finished') return true;
      if (Date.now() >= deadline) return false;
      await new Promise((done) => setTimeout(done, Math.min(WAIT_POLL_MS, deadline - Date.now())));
    }
  }
}

function runningConflict(id: string): StateConflictError {
  return new StateConflictError(
    'operationRunning',
    `The managedTenantOperation '${id}' is running already; cancel it, or wait until it ends to run it again.`,
  );
}
