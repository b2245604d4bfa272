import { DiscoveryService } from '@nestjs/core';
import { Clock } from './clock';
import { JobReport } from './job-events';
import { JobName } from './job-names';

/** Why a step runs: the job started, its poll interval passed, or it was woken. */
export type StepReason = 'start' | 'poll' | 'wake';

/**
 * What a step says of the work left: `more` (step again at once: it stopped early to share the
 * event loop) or `idle` (wait for the next poll or a wake).
 */
export type StepOutcome = 'more' | 'idle';

export interface JobSettings {
  /** A job that is off is registered (start-up checks it) but never steps. */
  readonly enabled: boolean;
  /** How often the job steps when nothing wakes it. */
  readonly pollMs: number;
  /** The longest wait between steps after failures (the poll interval doubles per failure). */
  readonly maxPollMs?: number;
  /** Tasks (`JobContext.run`) at once. */
  readonly concurrency: number;
}

/**
 * A background job. The kernel calls `start` once, then `step` (one at a time, never two
 * concurrently) on start, on every poll and after every wake; tasks the job starts with
 * `JobContext.run` run beside its steps, at most `concurrency` at once. At shutdown the kernel
 * stops stepping, gives the tasks half the shutdown time, aborts their signals, waits for them,
 * and calls `stop`.
 */
export interface JobHandler {
  settings(): JobSettings;
  start?(job: JobContext): Promise<void> | void;
  step(job: JobContext, reason: StepReason): Promise<StepOutcome>;
  /** A task ended and its slot is free (not called while stopping). */
  slotFreed?(job: JobContext): void;
  stop?(job: JobContext): Promise<void> | void;
}

/** What the kernel gives a job: who it is, time, wake-ups, tasks, side duties and reporting. */
export interface JobContext {
  readonly name: JobName;
  /** This process, for leases: the same for every job, for as long as the process lives. */
  readonly workerId: string;
  readonly clock: Clock;
  /** The kernel is shutting down: claim nothing more. */
  readonly stopping: boolean;
  readonly tasksInFlight: number;
  /** Tasks that may start now (concurrency less those in flight; none while stopping). */
  readonly freeSlots: number;
  /** Steps soon (coalesced: a wake during a step makes one more step after it). */
  wake(): void;
  /**
   * Starts a task if a slot is free (`false` if none is, or the kernel is stopping). Its signal
   * aborts when shutdown's grace period is over; a failure is logged and reported, never thrown.
   */
  run(task: (signal: AbortSignal) => Promise<void>): boolean;
  /** A side duty every `ms` (lease renewal, progress): isolated, logged and reported on failure. */
  every(duty: string, ms: number, work: () => unknown): void;
  readonly report: JobReport;
}

/** Marks a provider as the handler of a declared job; the kernel finds it at start-up. */
export const OnJob = DiscoveryService.createDecorator<JobName>();
