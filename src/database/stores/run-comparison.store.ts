import { Injectable } from '@nestjs/common';
import { SqlExecutor } from '../sql-executor';
import { RunKey } from './run-queue.records';

const RESULTS = '"managed_tenant_operation_results"';
const OF_OPERATION = `"partnerTenantId" = ? AND "managedTenantOperationId" = ?`;
/** The rows a run wrote (a row a client created is not one of its tenants' outcomes). */
const WRITTEN_BY_A_RUN = `"createRequestFingerprint" IS NULL`;

/** A run as a comparison needs it: its number, scope and status. */
export interface ComparedRun {
  readonly runNumber: number;
  readonly tenantScope: 'allTargets' | 'notSucceeded';
  readonly status: string;
}

/** Run numbers from `from` to `to`, both included. */
export interface RunSpan {
  readonly from: number;
  readonly to: number;
}

/** A tenant's latest result within a span of runs. */
export interface LatestResult {
  readonly targetTenantId: string;
  readonly isSuccess: boolean | null;
  readonly rows: readonly string[];
}

/**
 * What `compareRuns` reads, on either database: an operation's runs, and its tenants' results
 * within spans of runs, a page of tenants at a time, so that a comparison holds only the tenants
 * of the page it is on, whatever the size of the runs.
 */
@Injectable()
export class RunComparisonStore {
  constructor(private readonly db: SqlExecutor) {}

  async runs(key: RunKey): Promise<ComparedRun[]> {
    const rows = await this.db.all(
      `SELECT "runNumber", "tenantScope", "status" FROM "managed_tenant_operation_runs" WHERE ${OF_OPERATION} ORDER BY "runNumber"`,
      [key.partnerTenantId, key.operationId],
    );
    return rows.map((row) => ({
      runNumber: Number(row.runNumber),
      tenantScope: row.tenantScope as ComparedRun['tenantScope'],
      status: row.status as string,
    }));
  }

  /**
   * The tenants with a result in either span, in order, from `from` on (itself included when
   * `inclusive`), at most `limit`.
   */
  async tenants(
    key: RunKey,
    spans: readonly [RunSpan, RunSpan],
    from: { readonly tenant: string; readonly inclusive: boolean },
    limit: number,
  ): Promise<string[]> {
    const after = from.inclusive ? '>=' : '>';
    const rows = await this.db.all(
      `SELECT DISTINCT "targetTenantId" FROM ${RESULTS} WHERE ${OF_OPERATION} AND ${WRITTEN_BY_A_RUN} AND (("runNumber" >= ? AND "runNumber" <= ?) OR ("runNumber" >= ? AND "runNumber" <= ?)) AND "targetTenantId" ${after} ? ORDER BY "targetTenantId" LIMIT ?`,
      [
        key.partnerTenantId,
        key.operationId,
        spans[0].from,
        spans[0].to,
        spans[1].from,
        spans[1].to,
        from.tenant,
        limit,
      ],
    );
    return rows.map((row) => row.targetTenantId as string);
  }

  /**
   * Each tenant's result of the latest run within `span` that ran it, in one statement: the
   * latest run of each tenant (a seek on the index by tenant across runs), joined to that result
   * alone (a tenant's results of earlier runs are never read).
   */
  async latestResults(
    key: RunKey,
    tenants: readonly string[],
    span: RunSpan,
  ): Promise<Map<string, LatestResult>> {
    const found = new Map<string, LatestResult>();
    if (tenants.length === 0) return found;
    const inTenants = `"targetTenantId" IN (${tenants.map(() => '?').join(', ')})`;
    const rows = await this.db.all(
      // The latest runs drive the join (CROSS JOIN keeps that order on SQLite): each result is
      // then one seek, never a scan of the operation's results.
      `SELECT r."targetTenantId", r."isSuccess", r."result" FROM (SELECT "targetTenantId", MAX("runNumber") AS "runNumber" FROM ${RESULTS} WHERE ${OF_OPERATION} AND ${WRITTEN_BY_A_RUN} AND "runNumber" >= ? AND "runNumber" <= ? AND ${inTenants} GROUP BY "targetTenantId") latest CROSS JOIN ${RESULTS} r WHERE r."partnerTenantId" = ? AND r."managedTenantOperationId" = ? AND r."targetTenantId" = latest."targetTenantId" AND r."runNumber" = latest."runNumber" AND r.${WRITTEN_BY_A_RUN} ORDER BY r."targetTenantId", r."createdDateTime" DESC`,
      [
        key.partnerTenantId,
        key.operationId,
        span.from,
        span.to,
        ...tenants,
        key.partnerTenantId,
        key.operationId,
      ],
    );
    for (const row of rows) {
      const tenant = row.targetTenantId as string;
      if (found.has(tenant)) continue;
      const result =
        typeof row.result === 'string' ? (JSON.parse(row.result) as unknown) : row.result;
      found.set(tenant, {
        targetTenantId: tenant,
        isSuccess:
          row.isSuccess === null || row.isSuccess === undefined ? null : Boolean(row.isSuccess),
        rows: Array.isArray(result) ? result.map(String) : [],
      });
    }
    return found;
  }
}
