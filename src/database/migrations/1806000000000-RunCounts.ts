import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = '"operation_run_counts"';

/**
 * A run's counts (tenants, outcomes, calls) kept as it goes, so that its progress is a read of a
 * few rows rather than a count of every tenant of the run. One row per run and writer: the
 * tenants added (writer '') and each worker's completions, which instances sharing PostgreSQL
 * then never write to the same row. Runs under way when this arrives are counted from their
 * tenants.
 */
export class RunCounts1806000000000 implements MigrationInterface {
  name = 'RunCounts1806000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE ${TABLE} ("partnerTenantId" varchar(36) NOT NULL, "operationId" varchar(36) NOT NULL, "run" integer NOT NULL, "writer" varchar(64) NOT NULL, "tenants" integer NOT NULL DEFAULT 0, "succeeded" integer NOT NULL DEFAULT 0, "failed" integer NOT NULL DEFAULT 0, "skipped" integer NOT NULL DEFAULT 0, "calls" integer NOT NULL DEFAULT 0, "retries" integer NOT NULL DEFAULT 0, CONSTRAINT "PK_operation_run_counts" PRIMARY KEY ("partnerTenantId", "operationId", "run", "writer"), CONSTRAINT "FK_operation_run_counts_run" FOREIGN KEY ("partnerTenantId", "operationId") REFERENCES "operation_runs" ("partnerTenantId", "operationId") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `INSERT INTO ${TABLE} ("partnerTenantId", "operationId", "run", "writer", "tenants", "succeeded", "failed", "skipped", "calls", "retries") SELECT "partnerTenantId", "operationId", "run", '', COUNT(*), SUM(CASE WHEN "outcome" = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN "outcome" = 'failed' THEN 1 ELSE 0 END), SUM(CASE WHEN "outcome" = 'skipped' THEN 1 ELSE 0 END), SUM("calls"), SUM("retries") FROM "operation_run_tenants" GROUP BY "partnerTenantId", "operationId", "run"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${TABLE}`);
  }
}
