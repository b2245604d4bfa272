import { RunKey, RunQueueStore, RunRecord } from '../../database/stores/run-queue.store';
import { Clock, ClockTimer } from '../../jobs/clock';
import { EngineErrors } from './engine-errors';
import { keyOf, TenantCompletion } from './engine-types';
import { RunRows } from './run-rows';

/** How often finished tenants are written (what a tenant's row may lag behind its last call). */
export const FLUSH_INTERVAL_MS = 100;
/** Tries of writing a finished tenant before it is written as failed, without its rows. */
export const MAX_WRITE_ATTEMPTS = 5;
/** The most tenants whose completion is written together. */
const MAX_COMPLETION_BATCH = 200;

/** What the writer tells the worker. */
export interface CompletionEvents {
  /** Runs whose last tenants were written and which this instance now sums up. */
  finishing(runs: readonly RunRecord[]): Promise<void>;
  /** A write ended (room for more tenants to start). */
  written(): void;
  /** Tenants were recorded done in the queue. */
  completed(count: number): void;
}

/**
 * Finished tenants, written in batches at most every FLUSH_INTERVAL_MS: their HTTP requests and
 * result rows, then their marks in the queue, for all the tenants that finished meanwhile
 * together (a few writes, one fsync on SQLite, for a batch rather than a few each). A tenant's
 * slot is free as soon as it is queued here; if the process dies before the write, its lease
 * runs out and it is run again. What waits is bounded (count and bytes) by the worker.
 */
export class CompletionWriter {
  private readonly completions: TenantCompletion[] = [];
  /** Completions whose write failed: tried again at the next flush, not in the one that failed. */
  private readonly retries: TenantCompletion[] = [];
  /** The bytes of the rows waiting: no tenant starts while they pass the worker's budget. */
  private waitingBytes = 0;
  private flushing?: Promise<void>;
  private flushTimer?: ClockTimer;

  constructor(
    private readonly rows: RunRows,
    private readonly queue: RunQueueStore,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly errors: EngineErrors,
    private readonly events: CompletionEvents,
  ) {}

  /** Finished tenants waiting to be written. */
  get waiting(): number {
    return this.completions.length + this.retries.length;
  }

  get bytesWaiting(): number {
    return this.waitingBytes;
  }

  /** Queues a finished tenant for the next write. */
  add(completion: TenantCompletion): void {
    this.enqueue(completion);
    this.scheduleFlush();
  }

  /** Writes now what waits (the last tenants of a run are not held back for the interval). */
  flushNow(): void {
    if (this.flushing) return;
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flush()
      .catch((error: unknown) => this.errors.error('Finished tenants could not be written', error))
      .finally(() => {
        this.flushing = undefined;
        if (this.waiting > 0) this.scheduleFlush();
        this.events.written();
      });
  }

  /** Writes everything that waits and the write under way (shutdown). */
  async drain(): Promise<void> {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushing;
    await this.flush().catch(() => undefined);
  }

  private enqueue(completion: TenantCompletion, queue = this.completions): void {
    queue.push(completion);
    this.waitingBytes += completion.result?.bytes ?? 0;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    this.flushTimer = this.clock.setTimeout(() => this.flushNow(), FLUSH_INTERVAL_MS);
  }

  /**
   * Writes what waits, a batch at a time, and what finishes meanwhile. A completion whose write
   * fails waits for the next flush (an interval later), never for this one: a database that
   * refuses every write must not turn the writer into a busy loop.
   */
  private async flush(): Promise<void> {
    this.completions.push(...this.retries.splice(0));
    while (this.completions.length > 0) {
      const batch = this.completions.splice(0, MAX_COMPLETION_BATCH);
      for (const completion of batch) this.waitingBytes -= completion.result?.bytes ?? 0;
      const recorded = await Promise.allSettled(
        batch.map(async ({ task, belongsTo, result, httpCalls }) => {
          if (!result || !belongsTo) return;
          await Promise.all(
            (httpCalls ?? []).map((call) =>
              this.rows.recordCall(task, belongsTo, task.targetTenantId, call),
            ),
          );
          await this.rows.recordResult(task, belongsTo, result);
        }),
      );
      const written = batch.filter((completion, index) => {
        const outcome = recorded[index];
        if (outcome.status === 'fulfilled') return true;
        this.retryLater(completion, outcome.reason);
        return false;
      });
      // One transaction for the batch, with the runs' counts: if it fails, the whole batch waits.
      const completed = await this.queue
        .completeAll(
          this.owner,
          written.map(({ task, outcome, message, calls, retries }) => ({
            task,
            completion: { outcome, message, calls: calls ?? 0, retries: retries ?? 0 },
          })),
        )
        .catch((error: unknown) => {
          for (const completion of written) this.retryLater(completion, error);
          return [];
        });
      const runs = new Map<string, RunKey>();
      let done = 0;
      completed.forEach((stillHeld, index) => {
        if (!stillHeld) return;
        const { task } = written[index];
        done += 1;
        runs.set(keyOf(task), task);
      });
      if (done > 0) this.events.completed(done);
      for (const key of runs.values()) {
        const now = this.clock.now();
        const finishing = await this.queue.claimFinishes(this.owner, now + this.leaseMs, now, key);
        await this.events.finishing(finishing);
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
      this.errors.error(`The result of ${what} could not be written (attempt ${attempts})`, error);
      this.enqueue({ ...completion, writeAttempts: attempts }, this.retries);
      return;
    }
    const message = this.errors.internal(
      `The tenant's result could not be saved after ${attempts} attempts; it is recorded as failed, without its rows`,
      error,
      what,
    );
    this.enqueue(
      {
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
      },
      this.retries,
    );
  }
}
