/**
 * The records of the run queue (run-queue.store.ts). Every piece of work is a row,
 * claimed with a lease: a worker that dies leaves rows whose leases run out, and any worker takes
 * them over. Nothing of a run lives only in a process's memory.
 *
 * A run is the current run of one operation (`operation_runs`, one row per operation, its `run`
 * number counting up); its target tenants are rows of `operation_run_tenants`, each with the id
 * its result row will have, chosen when the run starts, so that a tenant retried after a crash
 * still gets exactly one result row per run.
 */

/** Where a run is: its tenants are being listed (`allTenants`), run, or summed up, or it is over. */
export type RunState = 'expanding' | 'running' | 'finishing' | 'finished';
/** Why a run stops starting tenants: cancelled, or `failOnFirstError` after a failure. */
export type RunStop = 'cancelled' | 'failedFirst';
export type TenantOutcome = 'succeeded' | 'failed' | 'skipped';

export interface RunKey {
  readonly partnerTenantId: string;
  readonly operationId: string;
}

export interface RunRecord extends RunKey {
  readonly run: number;
  /** The first run whose results the aggregate still uses (an earlier full run is superseded). */
  readonly baseRun: number;
  readonly state: RunState;
  readonly stop: RunStop | null;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** Why the run could not list its tenants, if it could not. */
  readonly message: string | null;
  /** The W3C traceparent of the run's span (when traced): its tenants' spans are its children. */
  readonly traceparent: string | null;
}

/** A target tenant of a run, as a worker claimed it. */
export interface TenantTask extends RunKey {
  readonly run: number;
  readonly targetTenantId: string;
  readonly position: number;
  readonly resultId: string;
  /** How often it was claimed: more than once means a worker died or gave it up. */
  readonly claims: number;
}

/** A tenant's outcome in the run that last ran it. */
export interface TenantOutcomeRecord {
  readonly targetTenantId: string;
  readonly run: number;
  readonly position: number;
  readonly resultId: string;
  readonly outcome: TenantOutcome;
  readonly message: string | null;
}

/** How far a run is, for `executionInfo`. */
export interface RunProgress {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly pending: number;
  readonly calls: number;
  readonly retries: number;
}

export interface NewTenant {
  readonly targetTenantId: string;
  readonly resultId: string;
  /** Why the tenant is reported and not run: it is written done, `skipped`, with this message. */
  readonly skipped?: string;
}

/** What a run's history row says of how it started (the rest comes from the run itself). */
export interface RunStart {
  readonly trigger: 'manual' | 'schedule' | 'catchUp';
  readonly initiatedByUserId: string | null;
  readonly initiatedByAppId: string | null;
  /** The schedule's slot, for a scheduled run (epoch ms). */
  readonly scheduledAt?: number;
  /** What the run's executionInfo says before its outcome (slots a schedule did not run). */
  readonly note?: string;
}

/** How a run ended, as its history row keeps it. */
export interface RunEnd {
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly progress: RunProgress;
  readonly executionInfo: string;
}

export interface NewRun extends RunKey {
  readonly run: number;
  readonly baseRun: number;
  readonly start: RunStart;
  /** The tenants to run, in order; none while a run lists them (`allTenants`). */
  readonly tenants: ReadonlyArray<NewTenant>;
  readonly expanding: boolean;
  readonly startedAt: number;
  /** The W3C traceparent of the span that starts it, when traced. */
  readonly traceparent?: string;
}

export interface Completion {
  readonly outcome: TenantOutcome;
  readonly message: string | null;
  readonly calls: number;
  readonly retries: number;
}
