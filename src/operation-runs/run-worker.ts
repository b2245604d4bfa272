import { Tracing } from '../observability/tracing';
import { ServiceMetrics } from '../observability/service-metrics';
import { Inject, Injectable } from '@nestjs/common';
import { EngineConfig } from '../config/app-config';
import { AtomicWork } from '../database/atomic-work';
import { EntityStore } from '../database/stores/entity.store';
import { RunHistoryStore } from '../database/stores/run-history.store';
import { RunKey, RunQueueStore, RunRecord, TenantTask } from '../database/stores/run-queue.store';
import {
  managedTenantOperation,
  ManagedTenantOperationHttpRequestProperties,
  managedTenantOperationHttpRequest,
  ManagedTenantOperationProperties,
  managedTenantOperationResult,
  ManagedTenantOperationResultProperties,
} from '../edm/model';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { GraphClient } from '../integrations/graph/graph-client';
import { PartnerCustomers } from '../integrations/graph/partner-customers';
import { TenantTokens } from '../integrations/graph/tenant-tokens';
import { TenantDirectory } from '../tenant-directory/tenant-directory.service';
import { GroupTargets } from '../tenant-groups/group-targets';
import { CLOCK, Clock } from '../jobs/clock';
import {
  JobContext,
  JobHandler,
  JobSettings,
  OnJob,
  StepOutcome,
  StepReason,
} from '../jobs/job-handler';
import { WORKER_ID } from '../jobs/worker-identity';
import { CompletionWriter } from './engine/completion-writer';
import { EngineErrors } from './engine/engine-errors';
import { keyOf, TenantCompletion } from './engine/engine-types';
import { RunExpansion } from './engine/run-expansion';
import { RunPlans } from './engine/run-plans';
import { OperationCredentials } from './engine/operation-credentials';
import { RunProgressWriter } from './engine/run-progress';
import { RunRows } from './engine/run-rows';
import { RunSummarizer } from './engine/run-summary';
import { TenantClaims } from './engine/tenant-claims';
import { TenantRunner } from './engine/tenant-runner';
import { ENGINE_CONFIG } from '../integrations/graph/graph.tokens';
import { TenantRun } from './tenant-run';

/** How often the progress of the runs this instance works on is written to their operations. */
const PROGRESS_INTERVAL_MS = 1_000;
/** Finished tenants waiting to be written, per slot, before no more tenants start. */
const MAX_WAITING_COMPLETIONS = 8;
/**
 * The rows of finished tenants waiting to be written, in tenants at the byte limit, before no
 * more tenants start (what bounds the engine's memory when answers are large).
 */
const MAX_WAITING_TENANTS_OF_BYTES = 4;
/** Token requests a claim's prefetching keeps in flight at once. */
const TOKEN_PREFETCHES = 4;

/** A tenant running here. */
interface InFlight {
  readonly runKey: string;
  readonly controller: AbortController;
}

/**
 * The engine, a job on the jobs kernel: every instance claims work from the database with leases
 * and does it — list a run's tenants (`allTenants`), run tenants (at most ENGINE_CONCURRENCY at
 * once, one call each, shared fairly between the runs that have work), sum a finished run up
 * into its operation. Leases are renewed while the work goes on; a worker that dies stops
 * renewing, and another takes its work over when they run out (on SQLite, the one process takes
 * back everything when it starts). A tenant's result row has an id chosen when the run started,
 * so a tenant run twice (its worker died after the row was written) still has one. The pieces
 * are in ./engine: claims, one tenant, completions, expansion, summing up, progress.
 */
@Injectable()
@OnJob('operationRuns')
export class RunWorker implements JobHandler {
  private readonly errors: EngineErrors;
  private readonly plans: RunPlans;
  private readonly claims: TenantClaims;
  private readonly runner: TenantRunner;
  private readonly completions: CompletionWriter;
  private readonly expansion: RunExpansion;
  private readonly summarizer: RunSummarizer;
  private readonly progress: RunProgressWriter;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly inFlightByRun = new Map<string, number>();
  /** Runs this instance worked on since the last progress write. */
  private readonly activeRuns = new Map<string, RunRecord>();
  /** The job, once the kernel started it (never, when the engine is off). */
  private job?: JobContext;
  /** Runs to list and to sum up may be waiting (a run started or stopped, a poll). */
  private sweepRequested = true;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly queue: RunQueueStore,
    history: RunHistoryStore,
    atomicWork: AtomicWork,
    @Inject(entityStoreToken(managedTenantOperation))
    operations: EntityStore<ManagedTenantOperationProperties>,
    @Inject(entityStoreToken(managedTenantOperationResult))
    results: EntityStore<ManagedTenantOperationResultProperties>,
    @Inject(entityStoreToken(managedTenantOperationHttpRequest))
    httpRequests: EntityStore<ManagedTenantOperationHttpRequestProperties>,
    graph: GraphClient,
    private readonly tokens: TenantTokens,
    customers: PartnerCustomers,
    directory: TenantDirectory,
    groups: GroupTargets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKER_ID) private readonly owner: string,
    private readonly metrics: ServiceMetrics,
    private readonly tracing: Tracing,
  ) {
    const secrets = config.client?.secret ? [config.client.secret] : [];
    this.errors = new EngineErrors(secrets);
    const rows = new RunRows(results, httpRequests, clock);
    const credentials = new OperationCredentials(operations, clock);
    this.plans = new RunPlans(operations, credentials);
    this.claims = new TenantClaims(queue, clock, owner, config);
    this.runner = new TenantRunner(
      new TenantRun(graph, tokens, secrets),
      this.plans,
      queue,
      results,
      this.errors,
      config.maxTenantBytes,
    );
    this.completions = new CompletionWriter(
      rows,
      queue,
      clock,
      owner,
      config.leaseMs,
      this.errors,
      {
        finishing: (runs) => this.finalizeAll(runs),
        written: () => this.startReady(),
        completed: (count) => this.job?.report.completed(count),
      },
    );
    this.expansion = new RunExpansion(
      queue,
      operations,
      customers,
      rows,
      clock,
      owner,
      config.leaseMs,
      this.errors,
      credentials,
      directory,
      groups,
      (run, work) =>
        this.tracing.inSpan(
          'run expansion',
          {
            parent: this.tracing.contextOf(run.traceparent),
            attributes: { 'mto.operation.id': run.operationId, 'mto.run.number': run.run },
          },
          work,
        ),
    );
    this.summarizer = new RunSummarizer(
      operations,
      results,
      queue,
      history,
      atomicWork,
      clock,
      owner,
      config.maxAggregateBytes,
      this.errors,
      config.runHistoryLimit,
      (status, durationMs) => metrics.runFinished(status, durationMs),
    );
    metrics.gaugeAtScrape(
      'mto_engine_queue_lag_seconds',
      'How long the oldest tenant waiting to be run (claimable now) has waited',
      async () => {
        const since = await queue.oldestWaitingSince(clock.now());
        return since === undefined ? 0 : Math.max(0, clock.now() - since) / 1000;
      },
    );
    this.progress = new RunProgressWriter(operations, queue, history, clock);
  }

  settings(): JobSettings {
    return {
      enabled: this.config.enabled,
      pollMs: this.config.pollMs,
      maxPollMs: Math.max(this.config.pollMs, this.config.leaseMs / 3),
      concurrency: this.config.concurrency,
    };
  }

  async start(job: JobContext): Promise<void> {
    this.job = job;
    // On SQLite no other process works the queue: what a killed process held is free now.
    if (this.queue.singleProcess) await this.queue.release();
    job.every('lease renewal', Math.max(this.config.leaseMs / 3, 100), () =>
      this.queue.renewLeases(this.owner, this.clock.now() + this.config.leaseMs),
    );
    job.every('progress', PROGRESS_INTERVAL_MS, () => this.writeProgress());
  }

  /**
   * Graceful shutdown, after the kernel gave the tenants in flight half the shutdown time and then
   * stopped them: what finished is written; the rest (claimed, not started or stopped) is given
   * back, for the next start or another instance.
   */
  async stop(): Promise<void> {
    await this.completions.drain();
    await this.queue.release(this.owner).catch(() => undefined);
  }

  /** Looks for work soon: a run was started or stopped here. */
  wake(): void {
    this.sweepRequested = true;
    this.claims.lookAgain();
    this.job?.wake();
  }

  /**
   * Stops the tenants of a run that are in flight here at once (their calls are aborted): the
   * run was cancelled. Other instances learn it from the queue within a progress interval.
   */
  stopRun(key: RunKey): void {
    const runKey = keyOf(key);
    for (const task of this.inFlight.values()) {
      if (task.runKey === runKey) task.controller.abort();
    }
  }

  async step(job: JobContext, reason: StepReason): Promise<StepOutcome> {
    if (reason !== 'wake') {
      this.sweepRequested = true;
      this.claims.lookAgain();
    }
    if (this.sweepRequested) {
      this.sweepRequested = false;
      for (const { run, nothingToRun } of await this.expansion.expandClaimed()) {
        this.activeRuns.set(keyOf(run), run);
        if (nothingToRun !== undefined) await this.finishClaimed(run, nothingToRun);
      }
      await this.finishClaimed();
    }
    if (this.claims.mayHaveWork && !job.stopping) {
      const batches = await this.claims.claim(
        this.inFlight.size,
        (key) => this.inFlightByRun.get(key) ?? 0,
        () => job.stopping,
      );
      for (const tasks of batches) {
        job.report.claimed(tasks.length);
        // The tokens are asked for within the run's trace.
        const traced = this.tracing.contextOf(this.claims.runOf(keyOf(tasks[0]))?.traceparent);
        void this.tracing.within(traced, () => this.prepareTokens(tasks, job));
      }
    }
    this.startReady();
    return 'idle';
  }

  slotFreed(job: JobContext): void {
    this.startReady();
    // Nothing else running here: the last tenants of a run are written now, not in a while.
    if (job.tasksInFlight === 0 && this.completions.waiting > 0) this.completions.flushNow();
  }

  /**
   * Starts claimed tenants while a slot is free, unless too many finished tenants wait to be
   * written; asks for more claims when fewer than a slot-full wait.
   */
  private startReady(): void {
    const job = this.job;
    if (!job) return;
    while (
      job.freeSlots > 0 &&
      this.claims.waiting > 0 &&
      this.completions.waiting < this.config.concurrency * MAX_WAITING_COMPLETIONS &&
      this.completions.bytesWaiting < this.config.maxTenantBytes * MAX_WAITING_TENANTS_OF_BYTES
    ) {
      const next = this.claims.take((key) => this.inFlightByRun.get(key) ?? 0)!;
      this.startTenant(job, next.run, next.task);
    }
    if (this.claims.wantsMore && this.claims.mayHaveWork) job.wake();
  }

  private startTenant(job: JobContext, run: RunRecord, task: TenantTask): void {
    const key = `${keyOf(task)}:${task.run}:${task.targetTenantId}`;
    const runKey = keyOf(task);
    const controller = new AbortController();
    this.inFlightByRun.set(runKey, (this.inFlightByRun.get(runKey) ?? 0) + 1);
    this.activeRuns.set(runKey, run);
    this.inFlight.set(key, { runKey, controller });
    this.metrics.tenantStarted();
    job.run(async (shutdown) => {
      const stop = () => controller.abort();
      shutdown.addEventListener('abort', stop);
      try {
        const completion = await this.tracing
          .inSpan('tenant', this.tenantSpan(run, task), async (span) => {
            const done = await this.runner.run(task, controller.signal, () => job.stopping);
            span?.setAttribute('mto.tenant.outcome', done?.outcome ?? 'none');
            return done;
          })
          .catch((error: unknown) => {
            this.errors.error(
              `Tenant ${task.targetTenantId} of operation ${task.operationId}`,
              error,
            );
            return undefined;
          });
        if (completion) this.finishTenant(completion);
      } finally {
        shutdown.removeEventListener('abort', stop);
        this.inFlight.delete(key);
        const left = (this.inFlightByRun.get(runKey) ?? 1) - 1;
        if (left > 0) this.inFlightByRun.set(runKey, left);
        else this.inFlightByRun.delete(runKey);
      }
    });
  }

  /** A tenant's span: the child of its run's, wherever the run was started. */
  private tenantSpan(run: RunRecord, task: TenantTask) {
    return {
      parent: this.tracing.contextOf(run.traceparent),
      attributes: {
        'mto.partner_tenant.id': task.partnerTenantId,
        'mto.operation.id': task.operationId,
        'mto.run.number': task.run,
        'mto.tenant.id': task.targetTenantId,
      },
    };
  }

  private finishTenant(completion: TenantCompletion): void {
    this.metrics.tenantFinished(completion.outcome);
    this.completions.add(completion);
  }

  /**
   * Asks for the tokens of claimed tenants while they wait for a slot, so that a slot goes to
   * Graph calls rather than to the token endpoint (the token is cached for the tenant's run). A
   * few at a time, in the order the tenants start: a claim's worth at once would queue the Graph
   * calls of running tenants behind them (one connection pool when the token endpoint and Graph
   * share a host, as with the stand-in) and ask the identity platform in bursts.
   */
  private async prepareTokens(tasks: readonly TenantTask[], job: JobContext): Promise<void> {
    const plan = await this.plans.planOf(tasks[0]).catch(() => undefined);
    if (!plan) return;
    let next = 0;
    const prefetch = async (): Promise<void> => {
      while (next < tasks.length && !job.stopping) {
        const task = tasks[next++];
        // A refusal is the tenant's outcome, met again (and recorded) when it runs.
        await this.tokens.tokenFor(task.targetTenantId, plan.credentials).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: TOKEN_PREFETCHES }, prefetch));
  }

  /** Claims the runs that have no tenant left to run (of `run` only, when given) and sums them up. */
  private async finishClaimed(run?: RunRecord, message?: string): Promise<void> {
    const now = this.clock.now();
    const finishing = await this.queue.claimFinishes(
      this.owner,
      now + this.config.leaseMs,
      now,
      run,
    );
    await this.finalizeAll(finishing, message);
  }

  private async finalizeAll(runs: readonly RunRecord[], message?: string): Promise<void> {
    for (const run of runs) {
      await this.tracing.inSpan(
        'run summary',
        {
          parent: this.tracing.contextOf(run.traceparent),
          attributes: { 'mto.operation.id': run.operationId, 'mto.run.number': run.run },
        },
        () => this.summarizer.finalize(run, message),
      );
      this.activeRuns.delete(keyOf(run));
      this.plans.forget(run);
    }
  }

  /** The progress of the runs under way here; a run cancelled elsewhere stops here too. */
  private async writeProgress(): Promise<void> {
    for (const [key, run] of [...this.activeRuns]) {
      const look = await this.progress.write(run);
      if (look === 'over') {
        this.activeRuns.delete(key);
        continue;
      }
      if (look === 'cancelled') this.stopRun(run);
      if (!this.inFlightByRun.has(key)) this.activeRuns.delete(key);
    }
  }
}
