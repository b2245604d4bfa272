import { Injectable } from '@nestjs/common';
import { SqlExecutor } from '../sql-executor';
import { SCHEDULE_DUE_COLUMN } from '../entity-tables';

/** An operation whose schedule is due: its next slot has come. */
export interface DueSchedule {
  readonly partnerTenantId: string;
  readonly operationId: string;
  /** The slot, as the schedule's nextRunDateTime says it. */
  readonly dueAt: string;
}

const DUE = `"${SCHEDULE_DUE_COLUMN}"`;

/**
 * The schedules due, across partner tenants, in the order of their slots, a page at a time
 * (keyset: slot, tenant, id), through the index of the operations' due column.
 */
const DUE_PAGE = `SELECT "partnerTenantId", "id", ${DUE} AS "dueAt" FROM "managed_tenant_operations" WHERE ${DUE} IS NOT NULL AND ${DUE} <= ? AND (${DUE} > ? OR (${DUE} = ? AND ("partnerTenantId" > ? OR ("partnerTenantId" = ? AND "id" > ?)))) ORDER BY ${DUE}, "partnerTenantId", "id" LIMIT ?`;

/** The earliest slot of any schedule, due or not. */
const EARLIEST = `SELECT MIN(${DUE}) AS "dueAt" FROM "managed_tenant_operations" WHERE ${DUE} IS NOT NULL`;

/** What the scheduler asks of the database: which schedules are due. */
@Injectable()
export class ScheduleStore {
  constructor(private readonly db: SqlExecutor) {}

  async due(now: string, after: DueSchedule | undefined, limit: number): Promise<DueSchedule[]> {
    const from = after ?? { dueAt: '', partnerTenantId: '', operationId: '' };
    const rows = await this.db.all(DUE_PAGE, [
      now,
      from.dueAt,
      from.dueAt,
      from.partnerTenantId,
      from.partnerTenantId,
      from.operationId,
      limit,
    ]);
    return rows.map((row) => ({
      partnerTenantId: row.partnerTenantId as string,
      operationId: row.id as string,
      dueAt: row.dueAt as string,
    }));
  }

  /** When the next schedule is due (epoch ms), if any is set. */
  async earliest(): Promise<number | undefined> {
    const row = await this.db.get(EARLIEST, []);
    return typeof row?.dueAt === 'string' ? Date.parse(row.dueAt) : undefined;
  }
}
