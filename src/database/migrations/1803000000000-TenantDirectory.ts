import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANTS = '"tenants"';
const DIRECTORIES = '"tenant_directories"';
const GROUPS = '"tenant_groups"';
const AUDIT = '"audit_events"';

/** The column types the two databases spell differently. */
export interface DirectoryColumnTypes {
  readonly text: (length: number) => string;
  readonly json: string;
  readonly epochMs: string;
}

/**
 * The partners' directories of customer tenants, groups and audit logs: `tenants`,
 * `tenant_groups` and `audit_events` (entity sets, their changes in the change feed), and `tenant_directories`, one row per partner, with what
 * its next refresh needs (when it is due, the credentials it uses, encrypted, and its lease) and
 * how the last one went.
 */
export class TenantDirectory1803000000000 implements MigrationInterface {
  name = 'TenantDirectory1803000000000';
  protected readonly types: DirectoryColumnTypes = {
    text: (length) => `varchar(${length})`,
    json: 'json',
    epochMs: 'integer',
  };

  public async up(queryRunner: QueryRunner): Promise<void> {
    const { text, json, epochMs } = this.types;
    await queryRunner.query(
      `CREATE TABLE ${TENANTS} ("partnerTenantId" ${text(36)} NOT NULL, "id" ${text(36)} NOT NULL, "tenantId" ${text(36)}, "displayName" ${text(256)} NOT NULL, "contract" ${json}, "tenantStatusInformation" ${json}, "tags" ${json}, "createdDateTime" ${text(24)} NOT NULL, "lastUpdatedDateTime" ${text(24)}, "lastModifiedDateTime" ${text(24)} NOT NULL, CONSTRAINT "PK_tenants" PRIMARY KEY ("partnerTenantId", "id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tenants_partnerTenantId_displayName" ON ${TENANTS} ("partnerTenantId", "displayName", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tenants_partnerTenantId_createdDateTime" ON ${TENANTS} ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE ${DIRECTORIES} ("partnerTenantId" ${text(36)} NOT NULL PRIMARY KEY, "generation" integer NOT NULL DEFAULT 0, "dueAt" ${epochMs}, "requestedBy" ${text(36)}, "dapAccessToken" ${text(32768)}, "refreshToken" ${text(32768)}, "leaseOwner" ${text(64)}, "leaseUntil" ${epochMs}, "lastRefreshAt" ${epochMs}, "lastError" ${text(1024)})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tenant_directories_dueAt" ON ${DIRECTORIES} ("dueAt") WHERE "dueAt" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE ${GROUPS} ("id" ${text(36)} NOT NULL PRIMARY KEY, "partnerTenantId" ${text(36)} NOT NULL, "partnerUserId" ${text(36)} NOT NULL, "requestId" ${text(36)} NOT NULL, "displayName" ${text(256)} NOT NULL, "allTenantsIncluded" boolean NOT NULL, "tenantIds" ${json}, "membershipRule" ${text(4096)}, "createdDateTime" ${text(24)} NOT NULL, "lastModifiedDateTime" ${text(24)} NOT NULL, "createRequestFingerprint" ${text(64)})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tenant_groups_partnerTenantId_createdDateTime" ON ${GROUPS} ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_tenant_groups_partnerTenantId_requestId" ON ${GROUPS} ("partnerTenantId", "requestId") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_tenant_groups_partnerTenantId_id" ON ${GROUPS} ("partnerTenantId", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE ${AUDIT} ("id" ${text(36)} NOT NULL PRIMARY KEY, "partnerTenantId" ${text(36)} NOT NULL, "activity" ${text(128)} NOT NULL, "activityDateTime" ${text(24)} NOT NULL, "activityId" ${text(128)}, "category" ${text(128)} NOT NULL, "httpVerb" ${text(16)}, "initiatedByAppId" ${text(128)}, "initiatedByUpn" ${text(256)}, "initiatedByUserId" ${text(36)}, "ipAddress" ${text(64)}, "requestBody" ${text(32768)}, "requestUrl" ${text(4096)}, "tenantIds" ${text(32768)}, "tenantNames" ${text(32768)}, "createdDateTime" ${text(24)} NOT NULL, "lastModifiedDateTime" ${text(24)} NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_partnerTenantId_createdDateTime" ON ${AUDIT} ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_createdDateTime" ON ${AUDIT} ("createdDateTime") `,
    );
    for (const source of CHANGE_SOURCES) await this.recordChanges(queryRunner, source);
  }

  /** The change feed's triggers on a table (as ChangeFeed's on the other sets). */
  protected async recordChanges(queryRunner: QueryRunner, source: ChangeSource): Promise<void> {
    for (const [operation, row, changeType] of TRIGGERED_CHANGES) {
      const version = row === 'NEW' ? `NEW."lastModifiedDateTime"` : 'NULL';
      await queryRunner.query(
        `CREATE TRIGGER "TR_${source.prefix}_${changeType}" AFTER ${operation} ON "${source.table}" FOR EACH ROW BEGIN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version", "changedAt") VALUES ('${source.entitySet}', ${row}."partnerTenantId", ${row}."id", NULL, '${changeType}', ${version}, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END`,
      );
    }
  }

  protected async forgetChanges(queryRunner: QueryRunner, source: ChangeSource): Promise<void> {
    for (const [, , changeType] of TRIGGERED_CHANGES) {
      await queryRunner.query(`DROP TRIGGER "TR_${source.prefix}_${changeType}"`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const source of CHANGE_SOURCES) await this.forgetChanges(queryRunner, source);
    await queryRunner.query(`DROP TABLE ${AUDIT}`);
    await queryRunner.query(`DROP TABLE ${GROUPS}`);
    await queryRunner.query(`DROP TABLE ${DIRECTORIES}`);
    await queryRunner.query(`DROP TABLE ${TENANTS}`);
  }
}

/** A table whose changes the change feed records, and how the feed names its rows. */
export interface ChangeSource {
  readonly table: string;
  readonly entitySet: string;
  readonly prefix: string;
}

export const CHANGE_SOURCES: readonly ChangeSource[] = [
  { table: 'tenants', entitySet: 'tenants', prefix: 'tenants' },
  { table: 'tenant_groups', entitySet: 'tenantGroups', prefix: 'tenant_groups' },
  { table: 'audit_events', entitySet: 'auditEvents', prefix: 'audit_events' },
];

const TRIGGERED_CHANGES = [
  ['INSERT', 'NEW', 'created'],
  ['UPDATE', 'NEW', 'updated'],
  ['DELETE', 'OLD', 'deleted'],
] as const;
