import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { redactSecrets } from '../common/redaction';
import { EngineConfig } from '../config/app-config';
import {
  DuplicateEntityError,
  EntityStore,
  MissingPrincipalError,
} from '../database/stores/entity.store';
import { Entity } from '../edm/entity';
import {
  managedTenantOperation,
  ManagedTenantOperationProperties,
  managedTenantOperationHttpRequest,
  managedTenantOperationResult,
} from '../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../edm/primitive-formats';
import { describeBytes } from '../integrations/outbound-call';
import { GraphCallError, GraphClient } from '../integrations/graph/graph-client';
import { Customers, PartnerCustomers } from '../integrations/graph/partner-customers';
import { ENGINE_CONFIG } from './operation-runs.tokens';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import {
  RunKey,
  RunQueueStore,
  RunRecord,
  RunStop,
  TenantTask,
} from '../database/stores/run-queue.store';
import { parseAggregation, parseStatements } from './statements';
import { LogLevel, RecordedCall, TenantRun } from './tenant-run';
import { TenantTokens, TokenRequestError } from '../integrations/graph/tenant-tokens';

type Operation = Entity<ManagedTenantOperationProperties>;

/** At most this many tenantExceptions are kept in the aggregate; executionInfo counts the rest. */
export const MAX_TENANT_EXCEPTIONS = 1_000;
/** How often the progress of the runs this instance works on is written to their operations. */
const PROGRESS_INTERVAL_MS = 1_000;
/** How far claims run ahead of the slots: claimed (in flight or waiting) per slot. */
const CLAIM_AHEAD = 3;
/** Finished tenants waiting to be written, per slot, before no more tenants start. */
const MAX_WAITING_COMPLETIONS = 8;
/**
 * The rows of finished tenants waiting to be written, in tenants at the byte limit, before no
 * more tenants start (what bounds the engine's memory when answers are large).
 */
const MAX_WAITING_TENANTS_OF_BYTES = 4;
/** How often finished tenants are written (what a tenant's row may lag behind its last call). */
const FLUSH_INTERVAL_MS = 100;
/** Tries of writing a finished tenant before it is left to its lease. */
const MAX_WRITE_ATTEMPTS = 5;
/** The most tenants whose completion is written together. */
const MAX_COMPLETION_BATCH = 200;
/** Token requests a claim's prefetching keeps in flight at once. */
const TOKEN_PREFETCHES = 4;
/** Result rows read at once when a run is summed up (each may hold a tenant's many rows). */
const RESULTS_PER_READ = 25;
/** Runs whose plans an instance keeps at once. */
const MAX_CACHED_PLANS = 100;
/** The most runs considered for claims at once (fair share is among these). */
const RUNS_PER_CLAIM = 50;

/**
 * The engine: every instance runs one worker, which claims work from the database with
 * leases and does it — list a run's tenants (`allTenants`), run tenants (at most
 * ENGINE_CONCURRENCY at once, one call each, shared fairly between the runs that have work), sum
 * a finished run up into its operation. Leases are renewed while the work goes on; a worker that
 * dies stops renewing, and another takes its work over when they run out (on SQLite, the one
 * process takes back everything when it starts). A tenant's result row has an id chosen when the
 * run started, so a tenant run twice (its worker died after the row was written) still has one.
 */
@Injectable()
export class RunWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunWorker.name);
  /** Who holds a lease: this process, for as long as it lives. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Map<
    string,
    {
      readonly runKey: string;
      readonly controller: AbortController;
      readonly done: Promise<void>;
    }
  >();
  private readonly inFlightByRun = new Map<string, number>();
  /** Runs this instance worked on since the last progress write. */
  private readonly activeRuns = new Map<string, RunRecord>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private ticking = false;
  private tickAgain = false;
  private tickScheduled = false;
  private readonly tenantRun: TenantRun;
  private readonly customers: PartnerCustomers;
  private readonly plans = new Map<string, RunPlan>();
  private readonly completions: TenantCompletion[] = [];
  /** The bytes of the rows in `completions`: no tenant starts while they pass the budget. */
  private completionBytes = 0;
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
  /** Claimed tenants not started yet, by run. */
  private readonly ready = new Map<string, { run: RunRecord; tasks: TenantTask[] }>();
  private readyCount = 0;
  private sweepRequested = true;
  /**
   * Whether the last claim may have left claimable tenants behind (it got all it asked for).
   * When it did not, the queue is drained for now and the worker waits to be woken (a run
   * started or stopped here, or the poll timer, for another instance's work or a lease that ran
   * out) instead of asking the database again after every tenant.
   */
  private mayHaveWork = true;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig & { shutdownTimeoutMs: number },
    private readonly queue: RunQueueStore,
    @Inject(entityStoreToken(managedTenantOperation)) private readonly operations: EntityStore,
    @Inject(entityStoreToken(managedTenantOperationResult)) private readonly results: EntityStore,
    @Inject(entityStoreToken(managedTenantOperationHttpRequest))
    private readonly httpRequests: EntityStore,
    private readonly graph: GraphClient,
    private readonly tokens: TenantTokens,
  ) {
    this.tenantRun = new TenantRun(graph, tokens, this.serviceSecrets);
    this.customers = new PartnerCustomers(graph, tokens, this.serviceSecrets);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.enabled) return;
    // On SQLite no other process works the queue: what a killed process held is free now.
    if (this.queue.singleProcess) await this.queue.release();
    this.every('poll', this.config.pollMs, () => this.wake());
    this.every('lease renewal', Math.max(this.config.leaseMs / 3, 100), () =>
      this.queue.renewLeases(this.owner, Date.now() + this.config.leaseMs),
    );
    this.every('progress', PROGRESS_INTERVAL_MS, () => this.writeProgress());
    this.wake();
  }

  /**
   * Graceful shutdown: no more claims; the tenants in flight get half the shutdown time to
   * finish, then are stopped and given back (not recorded), for the next start or another
   * instance.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    if (!this.config.enabled) return;
    const pending = [...this.inFlight.values()];
    const grace = new Promise<void>((done) =>
      setTimeout(done, this.config.shutdownTimeoutMs / 2).unref(),
    );
    await Promise.race([Promise.allSettled(pending.map((task) => task.done)), grace]);
    for (const task of this.inFlight.values()) task.controller.abort();
    await Promise.allSettled([...this.inFlight.values()].map((task) => task.done));
    // What finished is written; the rest (claimed, not started or stopped) is given back.
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushing;
    await this.flushCompletions().catch(() => undefined);
    await this.queue.release(this.owner).catch(() => undefined);
  }

  /** The service's own secrets, kept out of every message and log line of the engine. */
  private get serviceSecrets(): string[] {
    return this.config.client?.secret ? [this.config.client.secret] : [];
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

  /** Looks for work soon: a run was started or stopped, or the poll timer fired. */
  wake(): void {
    this.sweepRequested = true;
    this.mayHaveWork = true;
    this.scheduleTick();
  }

  private scheduleTick(): void {
    if (this.stopping || !this.config.enabled || this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      void this.tick();
    });
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        if (this.stopping) return;
        if (this.sweepRequested) {
          this.sweepRequested = false;
          await this.expandRuns();
          await this.finishRuns();
        }
        await this.claimTenants();
      } while (this.tickAgain && !this.stopping);
    } catch (error) {
      this.logger.error(`The engine could not claim work: ${describe(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  private lease(): number {
    return Date.now() + this.config.leaseMs;
  }

  /**
   * Claims tenants ahead of the free slots (up to CLAIM_AHEAD times the concurrency, in flight
   * and waiting), shared between the runs that have work: the run with the fewest here first.
   * Claiming in batches keeps the queue's writes few; the slots start from the local queue.
   */
  private async claimTenants(): Promise<void> {
    // Claims come in batches: only when fewer than a slot-full wait, then up to CLAIM_AHEAD.
    if (this.readyCount >= this.config.concurrency) return this.startReady();
    const wanted = this.config.concurrency * CLAIM_AHEAD - this.inFlight.size - this.readyCount;
    if (wanted <= 0) return this.startReady();
    const runs = await this.queue.runsWithWork(Date.now(), RUNS_PER_CLAIM);
    this.mayHaveWork = false;
    if (runs.length === 0) return this.startReady();
    const loadOf = (run: RunRecord) =>
      (this.inFlightByRun.get(keyOf(run)) ?? 0) + (this.ready.get(keyOf(run))?.tasks.length ?? 0);
    const shares = new Map<string, number>(runs.map((run) => [keyOf(run), 0]));
    for (let slot = 0; slot < wanted; slot += 1) {
      let chosen = runs[0];
      let least = Number.MAX_SAFE_INTEGER;
      for (const run of runs) {
        const load = loadOf(run) + shares.get(keyOf(run))!;
        if (load < least) {
          least = load;
          chosen = run;
        }
      }
      shares.set(keyOf(chosen), shares.get(keyOf(chosen))! + 1);
    }
    for (const run of runs) {
      const share = shares.get(keyOf(run))!;
      if (share === 0 || this.stopping) continue;
      const tasks = await this.queue.claimTenants(run, this.owner, this.lease(), Date.now(), share);
      if (tasks.length === share) this.mayHaveWork = true;
      if (tasks.length === 0) continue;
      const entry = this.ready.get(keyOf(run)) ?? { run, tasks: [] };
      entry.tasks.push(...tasks);
      void this.prepareTokens(tasks);
      this.ready.set(keyOf(run), entry);
      this.readyCount += tasks.length;
    }
    this.startReady();
  }

  /**
   * Asks for the tokens of claimed tenants while they wait for a slot, so that a slot goes to
   * Graph calls rather than to the token endpoint (the token is cached for the tenant's run).
   */
  private async prepareTokens(tasks: readonly TenantTask[]): Promise<void> {
    const plan = tasks.length > 0 ? await this.planOf(tasks[0]).catch(() => undefined) : undefined;
    if (!plan) return;
    // A few at a time, in the order the tenants start: a claim's worth at once would queue the
    // Graph calls of running tenants behind them (one connection pool when the token endpoint
    // and Graph share a host, as with the stand-in) and ask the identity platform in bursts.
    let next = 0;
    const prefetch = async (): Promise<void> => {
      while (next < tasks.length && !this.stopping) {
        const task = tasks[next++];
        // A refusal is the tenant's outcome, met again (and recorded) when it runs.
        await this.tokens.tokenFor(task.targetTenantId, plan.dapAccessToken).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: TOKEN_PREFETCHES }, prefetch));
  }

  /**
   * Starts claimed tenants while a slot is free, each from the run with the fewest in flight
   * (fair share between operations), unless too many finished tenants wait to be written.
   */
  private startReady(): void {
    while (
      !this.stopping &&
      this.inFlight.size < this.config.concurrency &&
      this.readyCount > 0 &&
      this.completions.length < this.config.concurrency * MAX_WAITING_COMPLETIONS &&
      this.completionBytes < this.config.maxTenantBytes * MAX_WAITING_TENANTS_OF_BYTES
    ) {
      let chosen: { run: RunRecord; tasks: TenantTask[] } | undefined;
      let least = Number.MAX_SAFE_INTEGER;
      for (const [key, entry] of this.ready) {
        const load = this.inFlightByRun.get(key) ?? 0;
        if (load < least) {
          least = load;
          chosen = entry;
        }
      }
      const task = chosen!.tasks.shift()!;
      if (chosen!.tasks.length === 0) this.ready.delete(keyOf(task));
      this.readyCount -= 1;
      this.start(chosen!.run, task);
    }
    if (this.readyCount < this.config.concurrency && this.mayHaveWork) this.scheduleTick();
  }

  private start(run: RunRecord, task: TenantTask): void {
    const key = `${keyOf(task)}:${task.run}:${task.targetTenantId}`;
    const runKey = keyOf(task);
    const controller = new AbortController();
    this.inFlightByRun.set(runKey, (this.inFlightByRun.get(runKey) ?? 0) + 1);
    this.activeRuns.set(runKey, run);
    const done = this.runTenant(task, controller.signal)
      .then((completion) => {
        if (completion) this.finishTenant(completion);
      })
      .catch((error: unknown) =>
        this.logger.error(
          `Tenant ${task.targetTenantId} of operation ${task.operationId}: ${this.scrubbed(describe(error))}`,
        ),
      )
      .finally(() => {
        this.inFlight.delete(key);
        const left = (this.inFlightByRun.get(runKey) ?? 1) - 1;
        if (left > 0) this.inFlightByRun.set(runKey, left);
        else this.inFlightByRun.delete(runKey);
        this.startReady();
        // Nothing else running here: the last tenants of a run are written now, not in 50 ms.
        if (this.inFlight.size === 0 && this.completions.length > 0) this.flushNow();
      });
    this.inFlight.set(key, { runKey, controller, done });
  }

  /** Runs one tenant: what to write when it is done, or nothing (given back, or gone). */
  private async runTenant(
    task: TenantTask,
    signal: AbortSignal,
  ): Promise<TenantCompletion | undefined> {
    const scope = { tenantId: task.partnerTenantId };
    // Claimed before: its worker may have died after writing the result row.
    const recorded =
      task.claims > 1 ? await this.results.findById(scope, task.resultId) : undefined;
    if (recorded) {
      // Its worker died after writing the row: the tenant is done, once.
      return {
        task,
        outcome: recorded.properties.isSuccess === true ? 'succeeded' : 'failed',
        message: recorded.properties.exception as string | null,
      };
    }
    const run = await this.queue.find(task);
    if (!run || run.run !== task.run) return undefined;
    const plan = await this.planOf(task);
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
    let outcome;
    try {
      outcome = await this.tenantRun.run({
        targetTenantId: task.targetTenantId,
        statements: plan.statements,
        rowLimit: plan.rowLimit,
        maxBytes: this.config.maxTenantBytes,
        logLevel: plan.logLevel,
        dapAccessToken: plan.dapAccessToken,
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
        exception: this.internalError(
          'The tenant could not be run',
          error,
          `tenant ${task.targetTenantId} of operation ${task.operationId}`,
        ),
        executionInfo: 'not run',
        calls: 0,
        retries: 0,
      };
    }
    // Stopped by a shutdown: given back, not recorded, so the next worker runs it whole.
    if (signal.aborted && this.stopping) return undefined;
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

  /**
   * What a run runs, read once per run and instance: the operation cannot change it while it
   * runs (its target, which may list thousands of tenants, is not read again for each one).
   */
  private async planOf(task: TenantTask): Promise<RunPlan | undefined> {
    const key = `${keyOf(task)}:${task.run}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    const operation = (await this.operations.findById(
      { tenantId: task.partnerTenantId },
      task.operationId,
    )) as Operation | undefined;
    if (!operation) return undefined;
    const definition = operation.properties.operationDefinition ?? {};
    const plan: RunPlan = {
      belongsTo: this.ownerOf(operation),
      statements: parseStatements(definition.value ?? ''),
      rowLimit: parseAggregation(operation.properties.aggregationDefinition?.value).limit,
      logLevel: (definition.logLevel ?? 'summary') as LogLevel,
      failOnFirstError: definition.failOnFirstError === true,
      dapAccessToken: operation.properties.credentials?.dapAccessToken ?? '',
    };
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
    return plan;
  }

  /**
   * Queues a finished tenant for the next write of finished tenants, at most every
   * FLUSH_INTERVAL_MS: its HTTP requests and result row, then its mark in the queue, for all the
   * tenants that finished meanwhile together (a few writes, one fsync on SQLite, for a batch
   * rather than a few each). Its slot is free at once. If the process dies before the write, the
   * tenant's lease runs out and it is run again.
   */
  private finishTenant(completion: TenantCompletion): void {
    this.enqueueCompletion(completion);
    this.scheduleFlush();
  }

  private enqueueCompletion(completion: TenantCompletion): void {
    this.completions.push(completion);
    this.completionBytes += completion.result?.bytes ?? 0;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    this.flushTimer = setTimeout(() => this.flushNow(), FLUSH_INTERVAL_MS);
  }

  private flushNow(): void {
    if (this.flushing) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushCompletions()
      .catch((error: unknown) =>
        this.logger.error(
          `Finished tenants could not be written: ${this.scrubbed(describe(error))}`,
        ),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.completions.length > 0) this.scheduleFlush();
        this.startReady();
      });
  }

  private async flushCompletions(): Promise<void> {
    while (this.completions.length > 0) {
      const batch = this.completions.splice(0, MAX_COMPLETION_BATCH);
      for (const completion of batch) this.completionBytes -= completion.result?.bytes ?? 0;
      const recorded = await Promise.allSettled(
        batch.map(async ({ task, belongsTo, result, httpCalls }) => {
          if (!result || !belongsTo) return;
          await Promise.all(
            (httpCalls ?? []).map((call) =>
              this.recordCall(task, belongsTo, task.targetTenantId, call),
            ),
          );
          await this.recordResult(task, belongsTo, result);
        }),
      );
      const written = batch.filter((completion, index) => {
        const outcome = recorded[index];
        if (outcome.status === 'fulfilled') return true;
        this.retryLater(completion, outcome.reason);
        return false;
      });
      const completed = await Promise.allSettled(
        written.map((completion) =>
          this.queue.complete(completion.task, this.owner, {
            outcome: completion.outcome,
            message: completion.message,
            calls: completion.calls ?? 0,
            retries: completion.retries ?? 0,
          }),
        ),
      );
      const runs = new Map<string, RunKey>();
      written.forEach((completion, index) => {
        const outcome = completed[index];
        if (outcome.status === 'rejected') this.retryLater(completion, outcome.reason);
        else if (outcome.value) runs.set(keyOf(completion.task), completion.task);
      });
      for (const key of runs.values()) {
        const finishing = await this.queue.claimFinishes(this.owner, this.lease(), Date.now(), key);
        for (const run of finishing) await this.finalize(run);
      }
    }
  }

  /**
   * A finished tenant whose write failed goes in a later batch (the database may be back). After
   * MAX_WRITE_ATTEMPTS tries it is written as failed, without its rows and HTTP requests (what
   * could not be written is what failed), so that the run still ends; that smaller write is
   * tried until it goes through.
   */
  private retryLater(completion: TenantCompletion, error: unknown): void {
    const attempts = (completion.writeAttempts ?? 0) + 1;
    const { task } = completion;
    const what = `tenant ${task.targetTenantId} of operation ${task.operationId}`;
    if (attempts < MAX_WRITE_ATTEMPTS || !completion.result || completion.writeFailed) {
      this.logger.error(
        `The result of ${what} could not be written (attempt ${attempts}): ${this.scrubbed(describe(error))}`,
      );
      this.enqueueCompletion({ ...completion, writeAttempts: attempts });
      return;
    }
    const message = this.internalError(
      `The tenant's result could not be saved after ${attempts} attempts; it is recorded as failed, without its rows`,
      error,
      what,
    );
    this.enqueueCompletion({
      ...completion,
      result: {
        isSuccess: false,
        rows: [],
        bytes: 0,
        exception: message,
        executionInfo: completion.result.executionInfo,
      },
      httpCalls: [],
      outcome: 'failed',
      message,
      writeAttempts: 0,
      writeFailed: true,
    });
  }

  /**
   * A message for the client about a failure inside the service: what happened in its terms and
   * an error id; the detail goes to the log with that id, never to a response.
   */
  private internalError(what: string, error: unknown, subject: string): string {
    const errorId = randomUUID();
    this.logger.error(
      `${what} (${subject}, error id ${errorId}): ${this.scrubbed(describe(error))}`,
    );
    return `${what} (error id ${errorId}).`;
  }

  private scrubbed(text: string, ...secrets: string[]): string {
    return redactSecrets(text, [...secrets, ...this.serviceSecrets]);
  }

  private async recordResult(
    task: TenantTask,
    belongsTo: RowOwner,
    outcome: {
      isSuccess: boolean;
      rows: string[];
      exception: string | null;
      executionInfo: string;
    },
  ): Promise<void> {
    const now = toUtcDateTimeOffset(new Date());
    try {
      await this.results.insert(
        { tenantId: task.partnerTenantId },
        {
          id: task.resultId,
          createdDateTime: now,
          lastModifiedDateTime: now,
          properties: {
            ...belongsTo,
            targetTenantId: task.targetTenantId,
            isSuccess: outcome.isSuccess,
            exception: outcome.exception,
            executionInfo: outcome.executionInfo,
            result: outcome.rows,
          },
          dynamicProperties: {},
        },
      );
    } catch (error) {
      // Written by a worker that died before it could say so: that row stands. (Or the operation
      // was deleted while it ran: its rows went with it.)
      if (!(error instanceof DuplicateEntityError) && !(error instanceof MissingPrincipalError)) {
        throw error;
      }
    }
  }

  private async recordCall(
    task: RunKey,
    belongsTo: RowOwner,
    targetTenantId: string,
    call: RecordedCall,
  ): Promise<void> {
    const now = toUtcDateTimeOffset(new Date());
    await this.httpRequests
      .insert(
        { tenantId: task.partnerTenantId },
        {
          id: randomUUID(),
          createdDateTime: now,
          lastModifiedDateTime: now,
          properties: {
            ...belongsTo,
            targetTenantId,
            attempt: call.attempt,
            statusCode: call.statusCode,
            request: call.request,
            response: call.response ?? null,
          },
          dynamicProperties: {},
        },
      )
      .catch((error: unknown) => {
        if (!(error instanceof MissingPrincipalError)) throw error;
      });
  }

  private ownerOf(operation: Operation): RowOwner {
    return {
      partnerTenantId: operation.properties.partnerTenantId,
      partnerUserId: operation.properties.partnerUserId,
      managedTenantOperationId: operation.id,
      requestId: operation.properties.requestId,
    };
  }

  // ---- listing the tenants of `target.allTenants`

  private async expandRuns(): Promise<void> {
    const claimed = await this.queue.claimExpansions(this.owner, this.lease(), Date.now());
    for (const run of claimed) {
      const scope = { tenantId: run.partnerTenantId };
      const operation = (await this.operations.findById(scope, run.operationId)) as
        Operation | undefined;
      if (!operation) continue;
      let customers: Customers = { tenants: [], refused: [] };
      let failure: string | undefined;
      try {
        customers = await this.customersOf(operation);
      } catch (error) {
        failure =
          error instanceof GraphCallError || error instanceof TokenRequestError
            ? this.scrubbed(error.message, operation.properties.credentials?.dapAccessToken ?? '')
            : this.internalError(
                "The partner's customers could not be listed",
                error,
                `operation ${run.operationId}`,
              );
      }
      const { tenants, refused } = customers;
      const expanded = await this.queue.expand(run, this.owner, [
        ...tenants.map((targetTenantId) => ({ targetTenantId, resultId: randomUUID() })),
        ...refused.map((customerId) => ({
          targetTenantId: customerId,
          resultId: randomUUID(),
          skipped: `Not run: GET /v1.0/contracts gave the customerId '${customerId}', which is not a tenant id (a GUID).`,
        })),
      ]);
      if (!expanded) continue;
      this.activeRuns.set(keyOf(run), run);
      if (failure !== undefined || tenants.length === 0) {
        const message =
          failure ??
          (refused.length > 0
            ? `GET /v1.0/contracts lists no customer tenant whose customerId is a tenant id (${refused.length} skipped): there is nothing to run.`
            : 'GET /v1.0/contracts lists no customer tenant: there is nothing to run.');
        for (const finishing of await this.queue.claimFinishes(
          this.owner,
          this.lease(),
          Date.now(),
          run,
        )) {
          await this.finalize(finishing, message);
        }
      }
    }
  }

  /** The partner's customers, with the calls recorded as the operation's logLevel asks. */
  private customersOf(operation: Operation): Promise<Customers> {
    const partner = operation.properties.partnerTenantId!;
    const logLevel = (operation.properties.operationDefinition?.logLevel ?? 'summary') as LogLevel;
    return this.customers.list(
      partner,
      operation.properties.credentials?.dapAccessToken ?? '',
      async (attempt) => {
        if (logLevel === 'none') return;
        await this.recordCall(
          { partnerTenantId: partner, operationId: operation.id },
          this.ownerOf(operation),
          partner,
          {
            attempt: attempt.attempt,
            statusCode: attempt.status || null,
            request: { method: 'GET', url: attempt.request.url },
          },
        );
      },
    );
  }

  // ---- summing a run up

  private async finishRuns(): Promise<void> {
    for (const run of await this.queue.claimFinishes(this.owner, this.lease(), Date.now())) {
      await this.finalize(run);
    }
  }

  /**
   * The operation's status and aggregate result from the last outcome of each tenant: the rows
   * of the tenants that succeeded, in order, at most the aggregation's limit; one
   * tenantException per tenant that did not.
   */
  private async finalize(run: RunRecord, message?: string): Promise<void> {
    const scope = { tenantId: run.partnerTenantId };
    const operation = (await this.operations.findById(scope, run.operationId)) as
      Operation | undefined;
    if (!operation) return;
    let limit: number;
    try {
      limit = parseAggregation(operation.properties.aggregationDefinition?.value).limit;
    } catch {
      limit = parseAggregation('').limit;
    }
    const rows: string[] = [];
    let bytes = 0;
    let aggregateFull = false;
    const tenantExceptions: Array<{ tenantId: string; exception: string }> = [];
    let succeeded = 0;
    let failed = 0;
    let skipped = 0;
    let after: { run: number; position: number } | undefined;
    for (;;) {
      const page = await this.queue.outcomes(run, after, 500);
      // The page's result rows a few reads at a time, while the aggregate still takes rows: a
      // tenant's rows may be large, and only what the aggregate keeps is held at once.
      const succeededIds = page.filter((o) => o.outcome === 'succeeded').map((o) => o.resultId);
      const results = new Map<string, Entity>();
      let readUpTo = 0;
      const resultAt = async (index: number): Promise<Entity | undefined> => {
        if (index >= readUpTo) {
          const ids = succeededIds.slice(readUpTo, readUpTo + RESULTS_PER_READ);
          results.clear();
          for (const result of await this.results.findByIds(scope, ids)) {
            results.set(result.id, result);
          }
          readUpTo += ids.length;
        }
        return results.get(succeededIds[index]);
      };
      let succeededInPage = 0;
      for (const outcome of page) {
        if (outcome.outcome === 'succeeded') {
          succeeded += 1;
          succeededInPage += 1;
          if (rows.length >= limit || aggregateFull) continue;
          const result = await resultAt(succeededInPage - 1);
          for (const row of (result?.properties.result as string[] | null) ?? []) {
            if (rows.length >= limit) break;
            bytes += Buffer.byteLength(row);
            if (bytes > this.config.maxAggregateBytes) {
              aggregateFull = true;
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
      if (page.length < 500) break;
      after = { run: page[page.length - 1].run, position: page[page.length - 1].position };
    }
    const status =
      run.stop === 'cancelled'
        ? 'cancelled'
        : failed > 0 || skipped > 0 || message !== undefined || run.message !== null
          ? 'failed'
          : 'succeeded';
    const progress = await this.queue.progress(run);
    const finishedAt = Date.now();
    const summary = [
      `Run ${run.run} ${status}`,
      `${succeeded + failed + skipped} tenant${succeeded + failed + skipped === 1 ? '' : 's'}: ${succeeded} succeeded, ${failed} failed${skipped ? `, ${skipped} not run` : ''}`,
      `${progress.calls} calls in this run${progress.retries ? ` (${progress.retries} retried)` : ''}`,
      `${((finishedAt - run.startedAt) / 1000).toFixed(1)} s`,
      ...(tenantExceptions.length < failed + skipped
        ? [`${failed + skipped - tenantExceptions.length} more tenant exceptions not listed`]
        : []),
      ...(aggregateFull
        ? [
            `the aggregate stopped at ${rows.length} rows: its rows reached ${describeBytes(this.config.maxAggregateBytes)} (ENGINE_MAX_AGGREGATE_BYTES)`,
          ]
        : []),
    ].join('; ');
    let failure = message ?? run.message ?? undefined;
    const write = (aggregate: string[]) =>
      this.operations.update(scope, run.operationId, (current) => ({
        ...current,
        lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
        properties: {
          ...current.properties,
          status,
          result: {
            ...(current.properties.result as Record<string, unknown> | null),
            isComplete: true,
            isSuccess: status === 'succeeded',
            exception: failure ?? null,
            executionInfo: `${summary}.`,
            tenantExceptions,
            result: aggregate,
            lastModifiedDateTime: toUtcDateTimeOffset(new Date(finishedAt)),
          },
        },
      }));
    try {
      await write(rows);
    } catch (error) {
      // The run ends all the same: without its aggregate, saying why (a failure to write the
      // aggregate must not leave the run to be summed up again and again).
      if (rows.length === 0) throw error;
      failure = this.internalError(
        `The run's aggregate of ${rows.length} rows could not be saved; the tenants' own rows are in results`,
        error,
        `operation ${run.operationId} run ${run.run}`,
      );
      await write([]);
    }
    await this.queue.finish(run, this.owner, finishedAt, message);
    this.activeRuns.delete(keyOf(run));
    this.plans.delete(`${keyOf(run)}:${run.run}`);
    this.logger.log(`Operation ${run.operationId} run ${run.run}: ${summary}`);
  }

  /** `executionInfo` of the runs under way here: how many tenants are done, failed, pending. */
  private async writeProgress(): Promise<void> {
    for (const [key, run] of [...this.activeRuns]) {
      const current = await this.queue.find(run);
      if (!current || current.run !== run.run || current.state === 'finished') {
        this.activeRuns.delete(key);
        continue;
      }
      // Cancelled through another instance: its tenants in flight here stop now.
      if (current.stop === 'cancelled') this.stopRun(current);
      const progress = await this.queue.progress(current);
      const done = progress.total - progress.pending;
      const info =
        `Run ${current.run} running: ${done} of ${progress.total} tenants done ` +
        `(${progress.succeeded} succeeded, ${progress.failed} failed${progress.skipped ? `, ${progress.skipped} not run` : ''}), ` +
        `${progress.pending} pending; ${progress.calls} calls${progress.retries ? ` (${progress.retries} retried)` : ''}; ` +
        `${((Date.now() - current.startedAt) / 1000).toFixed(1)} s.`;
      await this.operations.update(
        { tenantId: run.partnerTenantId },
        run.operationId,
        (operation) => {
          const result = (operation.properties.result ?? {}) as Record<string, unknown>;
          if (operation.properties.status !== 'running' || result.executionInfo === info)
            return operation;
          return {
            ...operation,
            lastModifiedDateTime: laterTimestamp(operation.lastModifiedDateTime),
            properties: {
              ...operation.properties,
              result: {
                ...result,
                executionInfo: info,
                lastModifiedDateTime: toUtcDateTimeOffset(new Date()),
              },
            },
          };
        },
      );
      if (!this.inFlightByRun.has(key)) this.activeRuns.delete(key);
    }
  }

  private every(name: string, ms: number, work: () => unknown): void {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(work)
        .catch((error: unknown) =>
          this.logger.error(`The engine's ${name} failed: ${describe(error)}`),
        );
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

/** A tenant that is done: its result row (none when one was written before) and outcome. */
interface TenantCompletion {
  readonly task: TenantTask;
  readonly belongsTo?: RowOwner;
  readonly result?: {
    readonly isSuccess: boolean;
    readonly rows: string[];
    /** The bytes of `rows`. */
    readonly bytes: number;
    readonly exception: string | null;
    readonly executionInfo: string;
  };
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  readonly message: string | null;
  /** The HTTP calls to record (as logLevel asks). */
  readonly httpCalls?: readonly RecordedCall[];
  readonly calls?: number;
  readonly retries?: number;
  readonly writeAttempts?: number;
  /** Its full result could not be written: this is the failure written instead. */
  readonly writeFailed?: boolean;
}

/** The properties every row of a run carries: whose it is and for which operation. */
interface RowOwner {
  readonly partnerTenantId?: string;
  readonly partnerUserId?: string;
  readonly managedTenantOperationId: string;
  readonly requestId?: string;
}

/** An operation's run as a worker runs it: read once, for every tenant. */
interface RunPlan {
  /** Who its rows belong to (the operation's owner properties and id), not the whole operation. */
  readonly belongsTo: RowOwner;
  readonly statements: ReturnType<typeof parseStatements>;
  readonly rowLimit: number;
  readonly logLevel: LogLevel;
  readonly failOnFirstError: boolean;
  readonly dapAccessToken: string;
  /**
   * A stop this instance learned before the queue has it: a tenant failed under
   * `failOnFirstError`. Tenants started here after that are not run, whatever the queue's write
   * takes.
   */
  stoppedHere?: RunStop;
}

function keyOf(key: RunKey): string {
  return `${key.partnerTenantId}/${key.operationId}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
