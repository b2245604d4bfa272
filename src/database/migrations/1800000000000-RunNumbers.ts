import { MigrationInterface, QueryRunner } from 'typeorm';

const RESULTS = '"managed_tenant_operation_results"';
const HTTP_REQUESTS = '"managed_tenant_operation_http_requests"';

/**
 * Every result and HTTP request says the run of its operation that wrote it (`runNumber`).
 * Rows written before get it where the run queue still knows it: a result by the id its run
 * chose for it; an HTTP request by the first result of its operation and tenant written at or
 * after it (a tenant's calls are recorded just before its result). Other rows (those of runs
 * the queue has forgotten, and rows clients wrote) get 1. Naming the run changes nothing a
 * client wrote, so the change feed's records of the backfill are not kept: it would otherwise
 * notify every subscriber of every row.
 */
export class RunNumbers1800000000000 implements MigrationInterface {
  name = 'RunNumbers1800000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of RUN_NUMBER_COLUMNS) await queryRunner.query(statement);
    const [{ seq }] = (await queryRunner.query(
      `SELECT COALESCE(MAX("seq"), 0) AS "seq" FROM "entity_changes"`,
    )) as Array<{ seq: number | string }>;
    for (const statement of RUN_NUMBER_BACKFILL) await queryRunner.query(statement);
    // The feed's position just read, a number: no client's value reaches this text.
    await queryRunner.query(
      `DELETE FROM "entity_changes" WHERE "seq" > ${Number(seq)} AND "changeType" = 'updated' AND "entitySet" IN ('managedTenantOperationResults', 'managedTenantOperationHttpRequests')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [HTTP_REQUESTS, RESULTS]) {
      const prefix = table === RESULTS ? 'mtor' : 'mtoh';
      await queryRunner.query(`DROP INDEX "IDX_${prefix}_operation_run_createdDateTime"`);
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN "runNumber"`);
    }
  }
}

/** The column and the index of a run's rows, the same on both databases. */
export const RUN_NUMBER_COLUMNS = [RESULTS, HTTP_REQUESTS].flatMap((table) => {
  const prefix = table === RESULTS ? 'mtor' : 'mtoh';
  return [
    `ALTER TABLE ${table} ADD COLUMN "runNumber" integer`,
    `CREATE INDEX "IDX_${prefix}_operation_run_createdDateTime" ON ${table} ("partnerTenantId", "managedTenantOperationId", "runNumber", "createdDateTime", "id") `,
  ];
});

/** The run numbers of the rows written before (see RunNumbers), the same on both databases. */
export const RUN_NUMBER_BACKFILL = [
  `UPDATE ${RESULTS} SET "runNumber" = t."run" FROM "operation_run_tenants" t WHERE t."resultId" = ${RESULTS}."id" AND t."partnerTenantId" = ${RESULTS}."partnerTenantId" AND t."operationId" = ${RESULTS}."managedTenantOperationId"`,
  `UPDATE ${RESULTS} SET "runNumber" = 1 WHERE "runNumber" IS NULL`,
  `CREATE INDEX "IDX_mtor_backfill_tenant" ON ${RESULTS} ("partnerTenantId", "managedTenantOperationId", "targetTenantId", "createdDateTime")`,
  `UPDATE ${HTTP_REQUESTS} SET "runNumber" = COALESCE((SELECT r."runNumber" FROM ${RESULTS} r WHERE r."partnerTenantId" = ${HTTP_REQUESTS}."partnerTenantId" AND r."managedTenantOperationId" = ${HTTP_REQUESTS}."managedTenantOperationId" AND r."targetTenantId" = ${HTTP_REQUESTS}."targetTenantId" AND r."createdDateTime" >= ${HTTP_REQUESTS}."createdDateTime" ORDER BY r."createdDateTime" LIMIT 1), 1)`,
  `DROP INDEX "IDX_mtor_backfill_tenant"`,
];
