import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SqlExecutor, SqlSession } from '../sql-executor';

/** One event of a partner's audit log, as it is written (Lighthouse's auditEvent). */
export interface AuditRecord {
  readonly partnerTenantId: string;
  readonly activity: string;
  readonly activityDateTime: string;
  readonly category: string;
  readonly activityId?: string | null;
  readonly httpVerb?: string | null;
  readonly initiatedByAppId?: string | null;
  readonly initiatedByUpn?: string | null;
  readonly initiatedByUserId?: string | null;
  readonly ipAddress?: string | null;
  readonly requestBody?: string | null;
  readonly requestUrl?: string | null;
  readonly tenantIds?: string | null;
  readonly tenantNames?: string | null;
}

const COLUMNS = [
  'id',
  'partnerTenantId',
  'activity',
  'activityDateTime',
  'activityId',
  'category',
  'httpVerb',
  'initiatedByAppId',
  'initiatedByUpn',
  'initiatedByUserId',
  'ipAddress',
  'requestBody',
  'requestUrl',
  'tenantIds',
  'tenantNames',
  'createdDateTime',
  'lastModifiedDateTime',
] as const;

const INSERT = `INSERT INTO "audit_events" (${COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
const PURGE = `DELETE FROM "audit_events" WHERE "createdDateTime" < ?`;

/** The partners' audit logs: events written with what they record, and purged by age. */
@Injectable()
export class AuditLogStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Writes an event on `session`: the transaction of the write it records (a unit of work's
   * statements join it by themselves).
   */
  async record(event: AuditRecord, session: SqlSession = this.db): Promise<void> {
    const row: Record<string, unknown> = {
      ...event,
      id: randomUUID(),
      createdDateTime: event.activityDateTime,
      lastModifiedDateTime: event.activityDateTime,
    };
    await session.run(
      INSERT,
      COLUMNS.map((column) => row[column] ?? null),
    );
  }

  /** Forgets the events older than `before` (an ISO 8601 UTC instant); how many went. */
  purge(before: string): Promise<number> {
    return this.db.run(PURGE, [before]);
  }
}
