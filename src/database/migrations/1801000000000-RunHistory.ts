import { MigrationInterface, QueryRunner } from 'typeorm';

const RUNS = '"managed_tenant_operation_runs"';
const RESULTS = '"managed_tenant_operation_results"';
const HTTP_REQUESTS = '"managed_tenant_operation_http_requests"';
const COLUMNS = `"partnerTenantId", "managedTenantOperationId", "runNumber", "trigger", "tenantScope", "status", "scheduledDateTime", "startedDateTime", "finishedDateTime", "initiatedByUserId", "initiatedByAppId", "tenantCount", "succeededTenantCount", "failedTenantCount", "notRunTenantCount", "callCount", "executionInfo", "createdDateTime", "lastModifiedDateTime"`;

/**
 * The history of runs (`managedTenantOperationRun`, contained in its operation): one row per run,
 * written by the engine, deleted with its operation, its changes in the change feed. Runs made
 * before get a row: the current run of each operation from the run queue (its trigger taken as
 * manual and who started it unknown), each earlier run from the results it wrote (its tenants'
 * outcomes, its calls, the first and last row's time; rows clients created are not the run's). The change feed's triggers are created
 * after that backfill: it is no change a client made. The results get an index by tenant across
 * runs, for comparing two runs.
 */
export class RunHistory1801000000000 implements MigrationInterface {
  name = 'RunHistory1801000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE ${RUNS} ("partnerTenantId" varchar(36) NOT NULL, "managedTenantOperationId" varchar(36) NOT NULL, "runNumber" integer NOT NULL, "trigger" varchar(32) NOT NULL, "tenantScope" varchar(32) NOT NULL, "status" varchar(32) NOT NULL, "scheduledDateTime" varchar(24), "startedDateTime" varchar(24), "finishedDateTime" varchar(24), "initiatedByUserId" varchar(36), "initiatedByAppId" varchar(36), "tenantCount" integer NOT NULL, "succeededTenantCount" integer NOT NULL, "failedTenantCount" integer NOT NULL, "notRunTenantCount" integer NOT NULL, "callCount" integer NOT NULL, "executionInfo" varchar(32768), "createdDateTime" varchar(24) NOT NULL, "lastModifiedDateTime" varchar(24) NOT NULL, CONSTRAINT "FK_e87c34473ff76c359c0752f3565" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations" ("partnerTenantId", "id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("partnerTenantId", "managedTenantOperationId", "runNumber"))`,
    );
    for (const statement of RUN_HISTORY_INDEXES) await queryRunner.query(statement);
    for (const statement of runHistoryBackfill(
      (ms) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`,
    )) {
      await queryRunner.query(statement);
    }
    for (const [operation, row, changeType] of TRIGGERED_CHANGES) {
      const version = row === 'NEW' ? `NEW."lastModifiedDateTime"` : 'NULL';
      await queryRunner.query(
        `CREATE TRIGGER "TR_mtorun_${changeType}" AFTER ${operation} ON ${RUNS} FOR EACH ROW BEGIN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version", "changedAt") VALUES ('${RUN_SET}', ${row}."partnerTenantId", CAST(${row}."runNumber" AS TEXT), ${row}."managedTenantOperationId", '${changeType}', ${version}, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [, , changeType] of TRIGGERED_CHANGES) {
      await queryRunner.query(`DROP TRIGGER "TR_mtorun_${changeType}"`);
    }
    await queryRunner.query(`DROP INDEX "IDX_mtor_operation_tenant_run"`);
    await queryRunner.query(`DROP TABLE ${RUNS}`);
  }
}

/** How the change feed names the runs' rows (the entity type's internal set name). */
export const RUN_SET = 'managedTenantOperationRuns';

const TRIGGERED_CHANGES = [
  ['INSERT', 'NEW', 'created'],
  ['UPDATE', 'NEW', 'updated'],
  ['DELETE', 'OLD', 'deleted'],
] as const;

/** The history's index, and the results' by tenant across runs (what compareRuns reads). */
export const RUN_HISTORY_INDEXES = [
  `CREATE INDEX "IDX_mtorun_operation_createdDateTime" ON ${RUNS} ("partnerTenantId", "managedTenantOperationId", "createdDateTime", "runNumber") `,
  `CREATE INDEX "IDX_mtor_operation_tenant_run" ON ${RESULTS} ("partnerTenantId", "managedTenantOperationId", "targetTenantId", "runNumber") `,
];

/**
 * The rows of the runs made before the history (see RunHistory): `isoOf` writes a column of
 * epoch milliseconds as an ISO 8601 UTC text, the one thing the databases spell differently.
 */
export function runHistoryBackfill(isoOf: (ms: string) => string): string[] {
  const tenantsOf = (condition: string) =>
    `(SELECT COUNT(*) FROM "operation_run_tenants" t WHERE t."partnerTenantId" = q."partnerTenantId" AND t."operationId" = q."operationId" AND t."run" = q."run"${condition})`;
  const started = isoOf('q."startedAt"');
  return [
    `INSERT INTO ${RUNS} (${COLUMNS}) SELECT q."partnerTenantId", q."operationId", q."run", 'manual', CASE WHEN q."run" > q."baseRun" THEN 'notSucceeded' ELSE 'allTargets' END, CASE WHEN q."state" <> 'finished' THEN 'running' WHEN q."stop" = 'cancelled' THEN 'cancelled' WHEN q."message" IS NOT NULL OR ${tenantsOf(` AND t."outcome" <> 'succeeded'`)} > 0 THEN 'failed' ELSE 'succeeded' END, NULL, ${started}, CASE WHEN q."finishedAt" IS NULL THEN NULL ELSE ${isoOf('q."finishedAt"')} END, NULL, NULL, ${tenantsOf('')}, ${tenantsOf(` AND t."outcome" = 'succeeded'`)}, ${tenantsOf(` AND t."outcome" = 'failed'`)}, ${tenantsOf(` AND t."outcome" = 'skipped'`)}, COALESCE((SELECT SUM(t."calls") FROM "operation_run_tenants" t WHERE t."partnerTenantId" = q."partnerTenantId" AND t."operationId" = q."operationId" AND t."run" = q."run"), 0), q."message", ${started}, COALESCE(${isoOf('q."finishedAt"')}, ${started}) FROM "operation_runs" q JOIN "managed_tenant_operations" o ON o."partnerTenantId" = q."partnerTenantId" AND o."id" = q."operationId"`,
    `INSERT INTO ${RUNS} (${COLUMNS}) SELECT r."partnerTenantId", r."managedTenantOperationId", r."runNumber", 'manual', 'allTargets', CASE WHEN SUM(CASE WHEN r."isSuccess" THEN 0 ELSE 1 END) > 0 THEN 'failed' ELSE 'succeeded' END, NULL, MIN(r."createdDateTime"), MAX(r."createdDateTime"), NULL, NULL, COUNT(DISTINCT r."targetTenantId"), SUM(CASE WHEN r."isSuccess" THEN 1 ELSE 0 END), SUM(CASE WHEN r."isSuccess" THEN 0 ELSE 1 END), 0, (SELECT COUNT(*) FROM ${HTTP_REQUESTS} h WHERE h."partnerTenantId" = r."partnerTenantId" AND h."managedTenantOperationId" = r."managedTenantOperationId" AND h."runNumber" = r."runNumber"), NULL, MIN(r."createdDateTime"), MAX(r."createdDateTime") FROM ${RESULTS} r JOIN "managed_tenant_operations" o ON o."partnerTenantId" = r."partnerTenantId" AND o."id" = r."managedTenantOperationId" WHERE r."runNumber" IS NOT NULL AND r."createRequestFingerprint" IS NULL AND NOT EXISTS (SELECT 1 FROM ${RUNS} h WHERE h."partnerTenantId" = r."partnerTenantId" AND h."managedTenantOperationId" = r."managedTenantOperationId" AND h."runNumber" = r."runNumber") GROUP BY r."partnerTenantId", r."managedTenantOperationId", r."runNumber"`,
  ];
}
