/** A run's counts as the console shows them: a progress bar and five numbers. */

export interface RunCounts {
  readonly runNumber: number;
  readonly status: string;
  readonly tenantCount: number;
  readonly succeededTenantCount: number;
  readonly failedTenantCount: number;
  readonly notRunTenantCount: number;
  readonly callCount: number;
  readonly executionInfo?: string | null;
}

export interface RunProgressView {
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly notRun: number;
  readonly pending: number;
  readonly calls: number;
  readonly retries: number;
  /** 0–100, whole numbers. */
  readonly percent: number;
  readonly running: boolean;
}

/**
 * The retried calls an execution info names ("14 calls (2 retried)"): the engine says them there,
 * the operation's while the run goes and the run's once it ended.
 */
export function retriesIn(executionInfo: string | null | undefined): number {
  const match = /\((\d+) retried\)/.exec(executionInfo ?? '');
  return match ? Number(match[1]) : 0;
}

export function progressOf(run: RunCounts, liveExecutionInfo?: string | null): RunProgressView {
  const total = run.tenantCount;
  const succeeded = run.succeededTenantCount;
  const failed = run.failedTenantCount;
  const notRun = run.notRunTenantCount;
  const running = run.status === 'running';
  const pending = running ? Math.max(total - succeeded - failed - notRun, 0) : 0;
  const done = total - pending;
  return {
    total,
    done,
    succeeded,
    failed,
    notRun,
    pending,
    calls: run.callCount,
    retries: retriesIn(running ? (liveExecutionInfo ?? run.executionInfo) : run.executionInfo),
    percent: total === 0 ? (running ? 0 : 100) : Math.floor((done / total) * 100),
    running,
  };
}

/** What the actions of an operation may do now. */
export interface ActionState {
  readonly run: boolean;
  readonly cancel: boolean;
  readonly runFailedAgain: boolean;
}

/**
 * `run` on an operation whose last run left tenants not succeeded runs only those (the API's
 * rule), so "Run" offers itself when that is not the case and "Run failed tenants again" when it is.
 */
export function actionsFor(status: string, latest: RunCounts | undefined): ActionState {
  const running = status === 'running';
  const leftFailures =
    !!latest &&
    latest.status !== 'running' &&
    latest.status !== 'skipped' &&
    latest.failedTenantCount + latest.notRunTenantCount > 0;
  return {
    run: !running && !leftFailures,
    cancel: running,
    runFailedAgain: !running && leftFailures,
  };
}
