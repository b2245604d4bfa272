import { DelegatedCredentials } from '../../integrations/graph/tenant-tokens';
import { RunKey, RunStop, TenantOutcome, TenantTask } from '../../database/stores/run-queue.store';
import { GraphStatement } from '../statements';
import { LogLevel, RecordedCall } from '../tenant-run';

/** What a tenant's run produced, to be written as its result row. */
export interface TenantResult {
  readonly isSuccess: boolean;
  readonly rows: string[];
  /** The bytes of `rows`. */
  readonly bytes: number;
  readonly exception: string | null;
  readonly executionInfo: string;
}

/** A tenant that is done: its result row (none when one was written before) and outcome. */
export interface TenantCompletion {
  readonly task: TenantTask;
  readonly belongsTo?: RowOwner;
  readonly result?: TenantResult;
  readonly outcome: TenantOutcome;
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
export interface RowOwner {
  readonly partnerTenantId?: string;
  readonly partnerUserId?: string;
  readonly managedTenantOperationId: string;
  readonly requestId?: string;
}

/** An operation's run as a worker runs it: read once, for every tenant. */
export interface RunPlan {
  /** Who its rows belong to (the operation's owner properties and id), not the whole operation. */
  readonly belongsTo: RowOwner;
  readonly statements: readonly GraphStatement[];
  readonly rowLimit: number;
  readonly logLevel: LogLevel;
  readonly failOnFirstError: boolean;
  readonly credentials: DelegatedCredentials;
  /**
   * A stop this instance learned before the queue has it: a tenant failed under
   * `failOnFirstError`. Tenants started here after that are not run, whatever the queue's write
   * takes.
   */
  stoppedHere?: RunStop;
}

/** What the engine's units know of the engine's settings. */
export interface EngineLimits {
  /** Tenants in flight at once on this instance. */
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly maxTenantBytes: number;
  readonly maxAggregateBytes: number;
}

/** A run's key as a map key. */
export function keyOf(key: RunKey): string {
  return `${key.partnerTenantId}/${key.operationId}`;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
