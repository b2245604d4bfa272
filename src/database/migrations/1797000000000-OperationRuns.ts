import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The work of running operations, in the database rather than in a process's memory:
 * one row per operation that was run (its current run), one per target tenant of each run. Both
 * go with their operation.
 */
export class OperationRuns1797000000000 implements MigrationInterface {
  name = 'OperationRuns1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of OPERATION_RUN_TABLES('integer')) await queryRunner.query(statement);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "operation_run_tenants"`);
    await queryRunner.query(`DROP TABLE "operation_runs"`);
  }
}

/** The tables of runs, the same on both databases but for the type of a millisecond time. */
export function OPERATION_RUN_TABLES(milliseconds: 'integer' | 'bigint'): string[] {
  return [
    `CREATE TABLE "operation_runs" ("partnerTenantId" varchar(36) NOT NULL, "operationId" varchar(36) NOT NULL, "run" integer NOT NULL, "baseRun" integer NOT NULL, "state" varchar(16) NOT NULL, "stop" varchar(16), "leaseOwner" varchar(64), "leaseUntil" ${milliseconds} NOT NULL DEFAULT 0, "startedAt" ${milliseconds} NOT NULL, "finishedAt" ${milliseconds}, "message" varchar(32768), CONSTRAINT "PK_operation_runs" PRIMARY KEY ("partnerTenantId", "operationId"), CONSTRAINT "FK_operation_runs_operation" FOREIGN KEY ("partnerTenantId", "operationId") REFERENCES "managed_tenant_operations" ("partnerTenantId", "id") ON DELETE CASCADE)`,
    `CREATE INDEX "IDX_operation_runs_state" ON "operation_runs" ("state", "leaseUntil")`,
    `CREATE TABLE "operation_run_tenants" ("partnerTenantId" varchar(36) NOT NULL, "operationId" varchar(36) NOT NULL, "run" integer NOT NULL, "targetTenantId" varchar(36) NOT NULL, "position" integer NOT NULL, "resultId" varchar(36) NOT NULL, "state" varchar(16) NOT NULL, "outcome" varchar(16), "message" varchar(32768), "claims" integer NOT NULL DEFAULT 0, "calls" integer NOT NULL DEFAULT 0, "retries" integer NOT NULL DEFAULT 0, "leaseOwner" varchar(64), "leaseUntil" ${milliseconds} NOT NULL DEFAULT 0, CONSTRAINT "PK_operation_run_tenants" PRIMARY KEY ("partnerTenantId", "operationId", "run", "targetTenantId"), CONSTRAINT "FK_operation_run_tenants_run" FOREIGN KEY ("partnerTenantId", "operationId") REFERENCES "operation_runs" ("partnerTenantId", "operationId") ON DELETE CASCADE)`,
    `CREATE INDEX "IDX_operation_run_tenants_claim" ON "operation_run_tenants" ("partnerTenantId", "operationId", "run", "state", "position")`,
    `CREATE INDEX "IDX_operation_run_tenants_tenant" ON "operation_run_tenants" ("partnerTenantId", "operationId", "targetTenantId", "run")`,
    `CREATE INDEX "IDX_operation_run_tenants_lease" ON "operation_run_tenants" ("leaseOwner") WHERE "state" = 'claimed'`,
  ];
}
