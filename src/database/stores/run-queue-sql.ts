import {
  NewTenant,
  RunProgress,
  RunRecord,
  RunKey,
  RunState,
  RunStop,
  TenantOutcome,
  TenantOutcomeRecord,
  TenantTask,
} from './run-queue.records';
import { placeholders, StoreDialect } from '../sql-executor';
import { COUNT_COLUMNS } from './run-counts';

/**
 * The statements of the run queue, written once for both databases with `?` placeholders (the
 * PostgreSQL executor numbers them). Every value is a bound parameter; the only text put together
 * is the dialect's `skipLocked`, a constant: PostgreSQL's `FOR UPDATE SKIP LOCKED`, which lets
 * many instances claim from one queue without waiting for each other (SQLite has one writer and
 * needs none), and the placeholders of a multi-row INSERT.
 */
const RUN_KEY = `"partnerTenantId" = ? AND "operationId" = ?`;

/** The values of one row of `insertTenants`. */
export const TENANT_ROW_VALUES = 9;

export function runQueueSql(dialect: StoreDialect) {
  const lock = dialect.skipLocked;
  return {
    findRun: `SELECT * FROM "operation_runs" WHERE ${RUN_KEY}`,
    findRunForUpdate: `SELECT * FROM "operation_runs" WHERE ${RUN_KEY}${lock ? ' FOR UPDATE' : ''}`,
    insertRun: `INSERT INTO "operation_runs" ("partnerTenantId", "operationId", "run", "baseRun", "state", "stop", "leaseOwner", "leaseUntil", "startedAt", "finishedAt", "message", "traceparent") VALUES (?, ?, ?, ?, ?, NULL, NULL, 0, ?, NULL, NULL, ?)`,
    restartRun: `UPDATE "operation_runs" SET "run" = ?, "baseRun" = ?, "state" = ?, "stop" = NULL, "leaseOwner" = NULL, "leaseUntil" = 0, "startedAt" = ?, "finishedAt" = NULL, "message" = NULL, "traceparent" = ? WHERE ${RUN_KEY} AND "state" = 'finished'`,
    forgetSupersededTenants: `DELETE FROM "operation_run_tenants" WHERE ${RUN_KEY} AND "run" < ?`,
    /**
     * `count` tenants of a run, each pending, or done and `skipped` with its message when the run
     * reports it and never runs it (a customerId that is no tenant id). A tenant the run has
     * already (listed twice by the partner's contracts) is kept once.
     */
    insertTenants: (count: number) =>
      `INSERT INTO "operation_run_tenants" ("partnerTenantId", "operationId", "run", "targetTenantId", "position", "resultId", "state", "outcome", "message") VALUES ${Array.from({ length: count }, () => `(${placeholders(TENANT_ROW_VALUES)})`).join(', ')} ON CONFLICT DO NOTHING`,
    /** A run whose tenants `owner` is listing (locked on PostgreSQL while a page is added). */
    isExpandingBy: `SELECT 1 AS "expanding" FROM "operation_runs" WHERE ${RUN_KEY} AND "run" = ? AND "state" = 'expanding' AND "leaseOwner" = ?${lock ? ' FOR UPDATE' : ''}`,
    /** What an earlier, abandoned listing of the run added. */
    forgetListedTenants: `DELETE FROM "operation_run_tenants" WHERE ${RUN_KEY} AND "run" = ?`,
    /** A run being summed up (every tenant done) has nothing left to cancel. */
    stopCancelled: `UPDATE "operation_runs" SET "stop" = 'cancelled' WHERE ${RUN_KEY} AND "state" NOT IN ('finishing', 'finished')`,
    stopFailedFirst: `UPDATE "operation_runs" SET "stop" = COALESCE("stop", 'failedFirst') WHERE ${RUN_KEY} AND "state" <> 'finished'`,
    /**
     * The tenants of one run that ended there (no later run took them up again), in their order,
     * after a position: a seek on the claim index, so that summing up a run reads each row once
     * however many pages it takes.
     */
    latestOutcomesOfRun: `SELECT t."targetTenantId", t."run", t."position", t."resultId", t."outcome", t."message" FROM "operation_run_tenants" t WHERE t."partnerTenantId" = ? AND t."operationId" = ? AND t."run" = ? AND t."state" = 'done' AND t."position" > ? AND NOT EXISTS (SELECT 1 FROM "operation_run_tenants" later WHERE later."partnerTenantId" = t."partnerTenantId" AND later."operationId" = t."operationId" AND later."targetTenantId" = t."targetTenantId" AND later."run" > t."run") ORDER BY t."position" LIMIT ?`,
    candidateExpansions: `SELECT "partnerTenantId", "operationId" FROM "operation_runs" WHERE "state" = 'expanding' AND "leaseUntil" < ? LIMIT 10`,
    claimRun: `UPDATE "operation_runs" SET "leaseOwner" = ?, "leaseUntil" = ? WHERE ${RUN_KEY} AND "state" = 'expanding' AND "leaseUntil" < ?`,
    expanded: `UPDATE "operation_runs" SET "state" = 'running', "leaseOwner" = NULL, "leaseUntil" = 0 WHERE ${RUN_KEY} AND "run" = ? AND "state" = 'expanding' AND "leaseOwner" = ?`,
    runsWithWork: `SELECT r.* FROM "operation_runs" r WHERE r."state" = 'running' AND (EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" = 'pending') OR EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" = 'claimed' AND t."leaseUntil" < ?)) ORDER BY r."startedAt" LIMIT ?`,
    /** When the longest-waiting run with tenants to claim started (queue lag, for metrics). */
    oldestWaiting: `SELECT MIN(r."startedAt") AS "since" FROM "operation_runs" r WHERE r."state" = 'running' AND (EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" = 'pending') OR EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" = 'claimed' AND t."leaseUntil" < ?))`,
    claimExpired: `UPDATE "operation_run_tenants" SET "leaseOwner" = ?, "leaseUntil" = ?, "claims" = "claims" + 1 WHERE ("partnerTenantId", "operationId", "run", "targetTenantId") IN (SELECT "partnerTenantId", "operationId", "run", "targetTenantId" FROM "operation_run_tenants" WHERE ${RUN_KEY} AND "run" = ? AND "state" = 'claimed' AND "leaseUntil" < ? ORDER BY "position" LIMIT ?${lock}) RETURNING *`,
    claimPending: `UPDATE "operation_run_tenants" SET "state" = 'claimed', "leaseOwner" = ?, "leaseUntil" = ?, "claims" = "claims" + 1 WHERE ("partnerTenantId", "operationId", "run", "targetTenantId") IN (SELECT "partnerTenantId", "operationId", "run", "targetTenantId" FROM "operation_run_tenants" WHERE ${RUN_KEY} AND "run" = ? AND "state" = 'pending' ORDER BY "position" LIMIT ?${lock}) RETURNING *`,
    renewTenants: `UPDATE "operation_run_tenants" SET "leaseUntil" = ? WHERE "leaseOwner" = ? AND "state" = 'claimed'`,
    renewRuns: `UPDATE "operation_runs" SET "leaseUntil" = ? WHERE "leaseOwner" = ? AND "state" IN ('expanding', 'finishing')`,
    complete: `UPDATE "operation_run_tenants" SET "state" = 'done', "outcome" = ?, "message" = ?, "calls" = "calls" + ?, "retries" = "retries" + ?, "leaseOwner" = NULL, "leaseUntil" = 0 WHERE ${RUN_KEY} AND "run" = ? AND "targetTenantId" = ? AND "state" = 'claimed' AND "leaseOwner" = ?`,
    releaseTenantsOf: `UPDATE "operation_run_tenants" SET "state" = 'pending', "leaseOwner" = NULL, "leaseUntil" = 0 WHERE "state" = 'claimed' AND "leaseOwner" = ?`,
    releaseRunsOf: `UPDATE "operation_runs" SET "leaseOwner" = NULL, "leaseUntil" = 0 WHERE "state" IN ('expanding', 'finishing') AND "leaseOwner" = ?`,
    releaseAllTenants: `UPDATE "operation_run_tenants" SET "state" = 'pending', "leaseOwner" = NULL, "leaseUntil" = 0 WHERE "state" = 'claimed'`,
    releaseAllRuns: `UPDATE "operation_runs" SET "leaseOwner" = NULL, "leaseUntil" = 0 WHERE "state" IN ('expanding', 'finishing')`,
    /** Runs with nothing left to run, or whose summing up was abandoned. */
    candidateFinishes: `SELECT r."partnerTenantId", r."operationId" FROM "operation_runs" r WHERE (r."state" = 'running' AND NOT EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" IN ('pending', 'claimed'))) OR (r."state" = 'finishing' AND r."leaseUntil" < ?) LIMIT 10`,
    /** Whether a run has nothing left to run (a read, before the write that claims its finish). */
    isDone: `SELECT 1 AS "done" FROM "operation_runs" r WHERE r."partnerTenantId" = ? AND r."operationId" = ? AND r."state" = 'running' AND NOT EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = r."partnerTenantId" AND t."operationId" = r."operationId" AND t."run" = r."run" AND t."state" IN ('pending', 'claimed'))`,
    claimFinish: `UPDATE "operation_runs" SET "state" = 'finishing', "leaseOwner" = ?, "leaseUntil" = ? WHERE ${RUN_KEY} AND (("state" = 'running' AND NOT EXISTS (SELECT 1 FROM "operation_run_tenants" t WHERE t."partnerTenantId" = "operation_runs"."partnerTenantId" AND t."operationId" = "operation_runs"."operationId" AND t."run" = "operation_runs"."run" AND t."state" IN ('pending', 'claimed'))) OR ("state" = 'finishing' AND "leaseUntil" < ?)) RETURNING *`,
    finish: `UPDATE "operation_runs" SET "state" = 'finished', "finishedAt" = ?, "leaseOwner" = NULL, "leaseUntil" = 0, "message" = COALESCE(?, "message") WHERE ${RUN_KEY} AND "run" = ? AND "state" = 'finishing' AND "leaseOwner" = ?`,
    /**
     * Adds to a run's counts as one writer keeps them: '' for the tenants added, a worker's owner
     * id for the tenants it completed (see run-counts.ts).
     */
    addCounts: `INSERT INTO "operation_run_counts" ("partnerTenantId", "operationId", "run", "writer", ${COUNT_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders(4 + COUNT_COLUMNS.length)}) ON CONFLICT ("partnerTenantId", "operationId", "run", "writer") DO UPDATE SET ${COUNT_COLUMNS.map((c) => `"${c}" = "operation_run_counts"."${c}" + excluded."${c}"`).join(', ')}`,
    forgetCounts: `DELETE FROM "operation_run_counts" WHERE ${RUN_KEY} AND "run" = ?`,
    forgetSupersededCounts: `DELETE FROM "operation_run_counts" WHERE ${RUN_KEY} AND "run" < ?`,
    /** A run's progress: the sums of its writers' counts (a few rows, however many tenants). */
    progress: `SELECT SUM("tenants") AS "total", SUM("succeeded") AS "succeeded", SUM("failed") AS "failed", SUM("skipped") AS "skipped", SUM("tenants") - SUM("succeeded") - SUM("failed") - SUM("skipped") AS "pending", SUM("calls") AS "calls", SUM("retries") AS "retries" FROM "operation_run_counts" WHERE ${RUN_KEY} AND "run" = ?`,
    unsuccessful: `SELECT t."targetTenantId" FROM "operation_run_tenants" t JOIN "operation_runs" r ON r."partnerTenantId" = t."partnerTenantId" AND r."operationId" = t."operationId" WHERE t."partnerTenantId" = ? AND t."operationId" = ? AND t."run" >= r."baseRun" AND (t."outcome" IS NULL OR t."outcome" <> 'succeeded') AND NOT EXISTS (SELECT 1 FROM "operation_run_tenants" later WHERE later."partnerTenantId" = t."partnerTenantId" AND later."operationId" = t."operationId" AND later."targetTenantId" = t."targetTenantId" AND later."run" > t."run") ORDER BY t."run", t."position"`,
  };
}

/** The values of a tenant's row for `insertTenants`. */
export function tenantRowValues(
  run: { readonly partnerTenantId: string; readonly operationId: string; readonly run: number },
  tenant: NewTenant,
  position: number,
): unknown[] {
  const skipped = tenant.skipped !== undefined;
  return [
    run.partnerTenantId,
    run.operationId,
    run.run,
    tenant.targetTenantId,
    position,
    tenant.resultId,
    skipped ? 'done' : 'pending',
    skipped ? 'skipped' : null,
    tenant.skipped ?? null,
  ];
}

/**
 * A run's tenants as rows of `insertTenants`, at their positions from `firstPosition`, at most
 * `perInsert` to a statement. Tenants to run and tenants reported as not run go in statements of
 * their own, so that the rows each adds (a tenant the run has already is not added) are counted
 * as what they are.
 */
export function tenantInserts(
  run: RunKey & { readonly run: number },
  tenants: readonly NewTenant[],
  firstPosition: number,
  perInsert: number,
): Array<{ readonly rows: unknown[][]; readonly skipped: boolean }> {
  const rows = tenants.map((tenant, index) => tenantRowValues(run, tenant, firstPosition + index));
  const inserts: Array<{ rows: unknown[][]; skipped: boolean }> = [];
  for (const skipped of [false, true]) {
    const kind = rows.filter((_row, index) => (tenants[index].skipped !== undefined) === skipped);
    for (let start = 0; start < kind.length; start += perInsert) {
      inserts.push({ rows: kind.slice(start, start + perInsert), skipped });
    }
  }
  return inserts;
}

/** A run row as the database returns it (PostgreSQL gives bigints as text). */
export function runFromRow(row: Record<string, unknown>): RunRecord {
  return {
    partnerTenantId: row.partnerTenantId as string,
    operationId: row.operationId as string,
    run: Number(row.run),
    baseRun: Number(row.baseRun),
    state: row.state as RunState,
    stop: (row.stop as RunStop | null) ?? null,
    startedAt: Number(row.startedAt),
    finishedAt:
      row.finishedAt === null || row.finishedAt === undefined ? null : Number(row.finishedAt),
    message: (row.message as string | null) ?? null,
    traceparent: (row.traceparent as string | null | undefined) ?? null,
  };
}

export function taskFromRow(row: Record<string, unknown>): TenantTask {
  return {
    partnerTenantId: row.partnerTenantId as string,
    operationId: row.operationId as string,
    run: Number(row.run),
    targetTenantId: row.targetTenantId as string,
    position: Number(row.position),
    resultId: row.resultId as string,
    claims: Number(row.claims),
  };
}

export function outcomeFromRow(row: Record<string, unknown>): TenantOutcomeRecord {
  return {
    targetTenantId: row.targetTenantId as string,
    run: Number(row.run),
    position: Number(row.position),
    resultId: row.resultId as string,
    outcome: row.outcome as TenantOutcome,
    message: (row.message as string | null) ?? null,
  };
}

export function progressFromRow(row: Record<string, unknown> | undefined): RunProgress {
  const number = (name: string) => Number(row?.[name] ?? 0);
  return {
    total: number('total'),
    succeeded: number('succeeded'),
    failed: number('failed'),
    skipped: number('skipped'),
    pending: number('pending'),
    calls: number('calls'),
    retries: number('retries'),
  };
}

/** Claimed tasks in the order the run takes them (RETURNING gives no order). */
export function byPosition(tasks: TenantTask[]): TenantTask[] {
  return tasks.sort((a, b) => a.position - b.position);
}
