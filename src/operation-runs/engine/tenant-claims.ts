import { RunQueueStore, RunRecord, TenantTask } from '../../database/stores/run-queue.store';
import { Clock } from '../../jobs/clock';
import { keyOf } from './engine-types';
import { leastLoaded, shareOut } from './fair-share';

/** How far claims run ahead of the slots: claimed (in flight or waiting) per slot. */
export const CLAIM_AHEAD = 3;
/** The most runs considered for claims at once (fair share is among these). */
const RUNS_PER_CLAIM = 50;

/** A claimed tenant about to start, and its run. */
export interface ClaimedTenant {
  readonly run: RunRecord;
  readonly task: TenantTask;
}

/**
 * The tenants this instance claimed and has not started: claimed from the queue in batches, ahead
 * of the free slots (up to CLAIM_AHEAD times the concurrency, in flight and waiting), shared
 * fairly between the runs that have work; taken to start one at a time, each from the run with
 * the fewest in flight. Claiming in batches keeps the queue's writes few.
 */
export class TenantClaims {
  private readonly ready = new Map<string, { run: RunRecord; tasks: TenantTask[] }>();
  private readyCount = 0;
  /**
   * Whether the last claim may have left claimable tenants behind (it got all it asked for).
   * When it did not, the queue is drained for now: the worker waits to be woken (a run started or
   * stopped here, or the poll, for another instance's work or a lease that ran out) instead of
   * asking the database again after every tenant.
   */
  private maybeMore = true;

  constructor(
    private readonly queue: RunQueueStore,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly limits: { readonly concurrency: number; readonly leaseMs: number },
  ) {}

  /** Claimed tenants waiting for a slot. */
  get waiting(): number {
    return this.readyCount;
  }

  /** Whether claiming again may find tenants. */
  get mayHaveWork(): boolean {
    return this.maybeMore;
  }

  /** Something may have become claimable (a run started or stopped, a poll). */
  lookAgain(): void {
    this.maybeMore = true;
  }

  /** Whether a claim is worth a trip to the database: fewer than a slot-full wait, and room. */
  get wantsMore(): boolean {
    return this.readyCount < this.limits.concurrency;
  }

  /**
   * Claims up to what the slots have room for, given the tenants in flight here in all and per
   * run; returns the batches claimed (each of one run), for their tokens to be prepared.
   */
  async claim(
    inFlight: number,
    inFlightOf: (runKey: string) => number,
    stopping: () => boolean,
  ): Promise<TenantTask[][]> {
    if (!this.wantsMore) return [];
    const wanted = this.limits.concurrency * CLAIM_AHEAD - inFlight - this.readyCount;
    if (wanted <= 0) return [];
    const now = this.clock.now();
    const runs = await this.queue.runsWithWork(now, RUNS_PER_CLAIM);
    this.maybeMore = false;
    const loadOf = (run: RunRecord) =>
      inFlightOf(keyOf(run)) + (this.ready.get(keyOf(run))?.tasks.length ?? 0);
    const shares = shareOut(runs, keyOf, loadOf, wanted);
    const claimed: TenantTask[][] = [];
    for (const run of runs) {
      const share = shares.get(keyOf(run))!;
      if (share === 0 || stopping()) continue;
      const tasks = await this.queue.claimTenants(
        run,
        this.owner,
        this.clock.now() + this.limits.leaseMs,
        this.clock.now(),
        share,
      );
      if (tasks.length === share) this.maybeMore = true;
      if (tasks.length === 0) continue;
      const entry = this.ready.get(keyOf(run)) ?? { run, tasks: [] };
      entry.tasks.push(...tasks);
      this.ready.set(keyOf(run), entry);
      this.readyCount += tasks.length;
      claimed.push(tasks);
    }
    return claimed;
  }

  /** The run of claimed tenants that wait for a slot. */
  runOf(runKey: string): RunRecord | undefined {
    return this.ready.get(runKey)?.run;
  }

  /** The next tenant to start: from the run with the fewest in flight here. */
  take(inFlightOf: (runKey: string) => number): ClaimedTenant | undefined {
    const key = leastLoaded(this.ready.keys(), inFlightOf);
    if (key === undefined) return undefined;
    const entry = this.ready.get(key)!;
    const task = entry.tasks.shift()!;
    if (entry.tasks.length === 0) this.ready.delete(key);
    this.readyCount -= 1;
    return { run: entry.run, task };
  }
}
