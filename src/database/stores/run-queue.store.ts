/**
 * The work of running operations, as the engine needs it of the database (one implementation per
 * database: sqlite-run-queue.store.ts, postgres-run-queue.store.ts). Every piece of work is a row,
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

export interface NewRun extends RunKey {
  readonly run: number;
  readonly baseRun: number;
  /** The tenants to run, in order; none while a run lists them (`allTenants`). */
  readonly tenants: ReadonlyArray<NewTenant>;
  readonly expanding: boolean;
  readonly startedAt: number;
}

export interface Completion {
  readonly outcome: TenantOutcome;
  readonly message: string | null;
  readonly calls: number;
  readonly retries: number;
}

export abstract class RunQueueStore {
  /** Whether one process works this queue (SQLite): then it takes back every claim at start. */
  abstract readonly singleProcess: boolean;
  /** The operation's current run, if it was ever run. */
  abstract find(key: RunKey): Promise<RunRecord | undefined>;
  /**
   * Starts a run, unless one is under way: `false` then. The run row (replaced if an earlier
   * run finished) and its tenants are written in one transaction.
   */
  abstract start(run: NewRun): Promise<boolean>;
  /** Marks a run under way as stopping; `false` if none is under way. */
  abstract stop(key: RunKey, stop: RunStop): Promise<boolean>;
  /** Tenants in the order the run takes them, that the last run of each did not succeed in. */
  abstract unsuccessfulTenants(key: RunKey): Promise<string[]>;

  /** Claims runs whose tenants are to be listed (none claimed, or a lease ran out). */
  abstract claimExpansions(owner: string, leaseUntil: number, now: number): Promise<RunRecord[]>;
  /** The tenants a claimed expansion found: the run goes on with them. */
  abstract expand(run: RunRecord, owner: string, tenants: NewRun['tenants']): Promise<boolean>;
  /** Runs with tenants to claim, at most `limit`. */
  abstract runsWithWork(now: number, limit: number): Promise<RunRecord[]>;
  /** Claims up to `limit` of a run's tenants that nobody holds, in their order. */
  abstract claimTenants(
    run: RunRecord,
    owner: string,
    leaseUntil: number,
    now: number,
    limit: number,
  ): Promise<TenantTask[]>;
  /** Extends every lease `owner` holds. */
  abstract renewLeases(owner: string, leaseUntil: number): Promise<void>;
  /** Records a tenant's outcome, if `owner` still holds it; `false` if it lost the claim. */
  abstract complete(task: TenantTask, owner: string, completion: Completion): Promise<boolean>;
  /** Gives back what `owner` holds, for the next claim (graceful shutdown; a restart on SQLite). */
  abstract release(owner?: string): Promise<void>;
  /** Claims runs that have no tenant left to run and are not summed up yet (or whose summing died). */
  abstract claimFinishes(
    owner: string,
    leaseUntil: number,
    now: number,
    key?: RunKey,
  ): Promise<RunRecord[]>;
  /** Marks a claimed run finished. */
  abstract finish(
    run: RunRecord,
    owner: string,
    finishedAt: number,
    message?: string,
  ): Promise<void>;
  abstract progress(run: RunRecord): Promise<RunProgress>;
  /**
   * The last outcome of each tenant since the run's base run, in run order, from `after` on, at
   * most `limit`: what the aggregate sums up.
   */
  abstract outcomes(
    run: RunRecord,
    after: { run: number; position: number } | undefined,
    limit: number,
  ): Promise<TenantOutcomeRecord[]>;
}
