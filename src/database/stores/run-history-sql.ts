import { NewRun, RunProgress } from './run-queue.records';

/**
 * The statements of the run history (`managed_tenant_operation_runs`, the rows of the
 * `managedTenantOperationRun` entity type), the same text on both databases: the engine writes a
 * run's row when it starts, its counts while it goes and its outcome when it ends; clients read
 * the rows through the entity type's store. Each write changes the row's version
 * (`lastModifiedDateTime`), and the change feed's triggers record it.
 */
const TABLE = '"managed_tenant_operation_runs"';
const RUN_ROW = `"partnerTenantId" = ? AND "managedTenantOperationId" = ? AND "runNumber" = ?`;
const COUNTS = [
  'tenantCount',
  'succeededTenantCount',
  'failedTenantCount',
  'notRunTenantCount',
  'callCount',
] as const;

export const RUN_HISTORY_SQL = {
  /** A run's row as it starts (a row of that number already there is left as it is). */
  start: `INSERT INTO ${TABLE} ("partnerTenantId", "managedTenantOperationId", "runNumber", "trigger", "tenantScope", "status", "scheduledDateTime", "startedDateTime", "finishedDateTime", "initiatedByUserId", "initiatedByAppId", "tenantCount", "succeededTenantCount", "failedTenantCount", "notRunTenantCount", "callCount", "executionInfo", "createdDateTime", "lastModifiedDateTime") VALUES (?, ?, ?, ?, ?, 'running', ?, ?, NULL, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?) ON CONFLICT ("partnerTenantId", "managedTenantOperationId", "runNumber") DO NOTHING`,
  /** A scheduled slot that did not run (its run was recorded `skipped`). */
  skipped: `INSERT INTO ${TABLE} ("partnerTenantId", "managedTenantOperationId", "runNumber", "trigger", "tenantScope", "status", "scheduledDateTime", "startedDateTime", "finishedDateTime", "initiatedByUserId", "initiatedByAppId", "tenantCount", "succeededTenantCount", "failedTenantCount", "notRunTenantCount", "callCount", "executionInfo", "createdDateTime", "lastModifiedDateTime") VALUES (?, ?, ?, ?, 'allTargets', 'skipped', ?, ?, ?, NULL, NULL, 0, 0, 0, 0, 0, ?, ?, ?)`,
  /** The highest run number of an operation's history (a skipped run takes a number too). */
  lastNumber: `SELECT MAX("runNumber") AS "runNumber" FROM ${TABLE} WHERE "partnerTenantId" = ? AND "managedTenantOperationId" = ?`,
  /** How a run started. */
  trigger: `SELECT "trigger" FROM ${TABLE} WHERE ${RUN_ROW}`,
  /** The counts of a run under way, when they changed. */
  progress: `UPDATE ${TABLE} SET ${COUNTS.map((c) => `"${c}" = ?`).join(', ')}, "lastModifiedDateTime" = ? WHERE ${RUN_ROW} AND "status" = 'running' AND (${COUNTS.map((c) => `"${c}" <> ?`).join(' OR ')})`,
  /** A run's outcome, followed by what was noted when it started, if anything. */
  finish: `UPDATE ${TABLE} SET "status" = ?, "finishedDateTime" = ?, ${COUNTS.map((c) => `"${c}" = ?`).join(', ')}, "executionInfo" = CASE WHEN "executionInfo" IS NULL THEN ? ELSE CAST(? AS TEXT) || ' ' || "executionInfo" END, "lastModifiedDateTime" = ? WHERE ${RUN_ROW} AND "status" = 'running'`,
};

/**
 * The oldest runs of an operation beyond its history's bound (run numbers up to a cutoff), with
 * the results and HTTP requests they wrote; not the rows clients created, nor a result the run
 * queue still names (the operation's aggregate reads each tenant's last outcome since the last
 * full run). The change feed's triggers record each deletion.
 */
export const RUN_HISTORY_PRUNE = [
  `DELETE FROM "managed_tenant_operation_results" WHERE "partnerTenantId" = ? AND "managedTenantOperationId" = ? AND "runNumber" <= ? AND "createRequestFingerprint" IS NULL AND "id" NOT IN (SELECT t."resultId" FROM "operation_run_tenants" t WHERE t."partnerTenantId" = ? AND t."operationId" = ?)`,
  `DELETE FROM "managed_tenant_operation_http_requests" WHERE "partnerTenantId" = ? AND "managedTenantOperationId" = ? AND "runNumber" <= ? AND "createRequestFingerprint" IS NULL`,
  `DELETE FROM ${TABLE} WHERE "partnerTenantId" = ? AND "managedTenantOperationId" = ? AND "runNumber" <= ?`,
];

/** A run's counts, in the order of the statements' count columns. */
export interface RunCounts {
  readonly tenants: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly notRun: number;
  readonly calls: number;
}

/** A run's counts as its history row keeps them: a tenant not run is one skipped. */
export function progressCounts(progress: RunProgress): RunCounts {
  return {
    tenants: progress.total,
    succeeded: progress.succeeded,
    failed: progress.failed,
    notRun: progress.skipped,
    calls: progress.calls,
  };
}

export function countValues(counts: RunCounts): number[] {
  return [counts.tenants, counts.succeeded, counts.failed, counts.notRun, counts.calls];
}

/** The values of `start`: the history row of a run as it starts. */
export function runStartValues(run: NewRun): unknown[] {
  const at = new Date(run.startedAt).toISOString();
  return [
    run.partnerTenantId,
    run.operationId,
    run.run,
    run.start.trigger,
    run.run === run.baseRun ? 'allTargets' : 'notSucceeded',
    run.start.scheduledAt === undefined ? null : new Date(run.start.scheduledAt).toISOString(),
    at,
    run.start.initiatedByUserId,
    run.start.initiatedByAppId,
    run.tenants.length,
    run.start.note ?? null,
    at,
    at,
  ];
}
