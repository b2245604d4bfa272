import { MigrationInterface, QueryRunner } from 'typeorm';
import { RUN_HISTORY_INDEXES, RUN_SET, runHistoryBackfill } from '../1801000000000-RunHistory';

/** The history of runs, as on SQLite (../1801000000000-RunHistory.ts). */
export class RunHistory1801000000001 implements MigrationInterface {
  name = 'RunHistory1801000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const text = (length: number) => `character varying(${length}) COLLATE "C"`;
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operation_runs" ("partnerTenantId" ${text(36)} NOT NULL, "managedTenantOperationId" ${text(36)} NOT NULL, "runNumber" integer NOT NULL, "trigger" ${text(32)} NOT NULL, "tenantScope" ${text(32)} NOT NULL, "status" ${text(32)} NOT NULL, "scheduledDateTime" ${text(24)}, "startedDateTime" ${text(24)}, "finishedDateTime" ${text(24)}, "initiatedByUserId" ${text(36)}, "initiatedByAppId" ${text(36)}, "tenantCount" integer NOT NULL, "succeededTenantCount" integer NOT NULL, "failedTenantCount" integer NOT NULL, "notRunTenantCount" integer NOT NULL, "callCount" integer NOT NULL, "executionInfo" ${text(32768)}, "createdDateTime" ${text(24)} NOT NULL, "lastModifiedDateTime" ${text(24)} NOT NULL, CONSTRAINT "PK_5ea5f8632d0c3cae981d8d2605d" PRIMARY KEY ("partnerTenantId", "managedTenantOperationId", "runNumber"))`,
    );
    for (const statement of RUN_HISTORY_INDEXES) await queryRunner.query(statement);
    await queryRunner.query(
      `ALTER TABLE "managed_tenant_operation_runs" ADD CONSTRAINT "FK_e87c34473ff76c359c0752f3565" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations"("partnerTenantId","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    for (const statement of runHistoryBackfill(
      (ms) =>
        `to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    )) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(
      `CREATE FUNCTION "record_change_mtorun"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${RUN_SET}', OLD."partnerTenantId", OLD."runNumber"::text, OLD."managedTenantOperationId", 'deleted', NULL); RETURN OLD; END IF; INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${RUN_SET}', NEW."partnerTenantId", NEW."runNumber"::text, NEW."managedTenantOperationId", CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END, NEW."lastModifiedDateTime"); RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "TR_mtorun_changes" AFTER INSERT OR UPDATE OR DELETE ON "managed_tenant_operation_runs" FOR EACH ROW EXECUTE FUNCTION "record_change_mtorun"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TR_mtorun_changes" ON "managed_tenant_operation_runs"`);
    await queryRunner.query(`DROP FUNCTION "record_change_mtorun"()`);
    await queryRunner.query(`DROP INDEX "IDX_mtor_operation_tenant_run"`);
    await queryRunner.query(`DROP TABLE "managed_tenant_operation_runs"`);
  }
}
