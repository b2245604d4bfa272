import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed: one row per created, updated or deleted entity, written by
 * triggers in the transaction of the change itself, whoever makes it (a request, the engine, a
 * cascade). Delta queries read what changed since their token; change notifications fan out from
 * the rows still `pending` (the outbox). Rows are kept for the retention period (tombstones of
 * deletions included), then purged.
 */
export class ChangeFeed1798000000000 implements MigrationInterface {
  name = 'ChangeFeed1798000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "entity_changes" ("seq" integer PRIMARY KEY AUTOINCREMENT, "entitySet" varchar(64) NOT NULL, "partnerTenantId" varchar(36) NOT NULL, "entityId" varchar(36) NOT NULL, "parentId" varchar(36), "changeType" varchar(8) NOT NULL, "version" varchar(24), "changedAt" integer NOT NULL, "pending" integer NOT NULL DEFAULT 1)`,
    );
    for (const statement of CHANGE_FEED_INDEXES('"seq"', '"pending" = 1')) {
      await queryRunner.query(statement);
    }
    for (const table of CHANGE_FEED_SOURCES) {
      for (const [operation, row, changeType] of TRIGGERED_CHANGES) {
        const parent = table.parentColumn ? `${row}."${table.parentColumn}"` : 'NULL';
        const version = row === 'NEW' ? `NEW."lastModifiedDateTime"` : 'NULL';
        await queryRunner.query(
          `CREATE TRIGGER "TR_${table.prefix}_${changeType}" AFTER ${operation} ON "${table.tableName}" FOR EACH ROW BEGIN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version", "changedAt") VALUES ('${table.entitySet}', ${row}."partnerTenantId", ${row}."id", ${parent}, '${changeType}', ${version}, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END`,
        );
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of CHANGE_FEED_SOURCES) {
      for (const [, , changeType] of TRIGGERED_CHANGES) {
        await queryRunner.query(`DROP TRIGGER "TR_${table.prefix}_${changeType}"`);
      }
    }
    await queryRunner.query(`DROP TABLE "entity_changes"`);
  }
}

/**
 * The tables whose changes the feed records, as they were when the feed was added (a migration
 * is a snapshot: a later entity set adds its own triggers in its own migration).
 */
export const CHANGE_FEED_SOURCES = [
  {
    tableName: 'managed_tenant_operations',
    entitySet: 'managedTenantOperations',
    prefix: 'mto',
    parentColumn: undefined,
  },
  {
    tableName: 'managed_tenant_operation_results',
    entitySet: 'managedTenantOperationResults',
    prefix: 'mtor',
    parentColumn: 'managedTenantOperationId',
  },
  {
    tableName: 'managed_tenant_operation_http_requests',
    entitySet: 'managedTenantOperationHttpRequests',
    prefix: 'mtoh',
    parentColumn: 'managedTenantOperationId',
  },
] as const;

const TRIGGERED_CHANGES = [
  ['INSERT', 'NEW', 'created'],
  ['UPDATE', 'NEW', 'updated'],
  ['DELETE', 'OLD', 'deleted'],
] as const;

/**
 * The feed's indexes: a tenant's changes of a set in commit order (`order`: the sequence on
 * SQLite, the transaction id on PostgreSQL), the purge by age, and the outbox's pending rows.
 */
export function CHANGE_FEED_INDEXES(order: string, pending: string): string[] {
  return [
    `CREATE INDEX "IDX_entity_changes_set" ON "entity_changes" ("partnerTenantId", "entitySet", ${order})`,
    `CREATE INDEX "IDX_entity_changes_changedAt" ON "entity_changes" ("changedAt")`,
    `CREATE INDEX "IDX_entity_changes_pending" ON "entity_changes" ("seq") WHERE ${pending}`,
  ];
}
