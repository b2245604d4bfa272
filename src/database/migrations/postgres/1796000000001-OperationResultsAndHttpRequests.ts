import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The results and HTTP requests of operations, as `npm run migration:generate` writes
 * them for PostgreSQL: each row names its operation within its tenant, so the database refuses a
 * row for another tenant's operation and deletes the rows with their operation.
 */
export class OperationResultsAndHttpRequests1796000000001 implements MigrationInterface {
  name = 'OperationResultsAndHttpRequests1796000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operation_results" ("id" character varying(36) COLLATE "C" NOT NULL, "partnerTenantId" character varying(36) COLLATE "C" NOT NULL, "partnerUserId" character varying(36) COLLATE "C" NOT NULL, "targetTenantId" character varying(36) COLLATE "C" NOT NULL, "managedTenantOperationId" character varying(36) COLLATE "C" NOT NULL, "requestId" character varying(36) COLLATE "C" NOT NULL, "createdDateTime" character varying(24) COLLATE "C" NOT NULL, "lastModifiedDateTime" character varying(24) COLLATE "C" NOT NULL, "isSuccess" boolean, "exception" character varying(32768) COLLATE "C", "executionInfo" character varying(32768) COLLATE "C", "result" jsonb, "dynamicProperties" jsonb NOT NULL, "createRequestFingerprint" character varying(64) COLLATE "C", CONSTRAINT "PK_da28a302bad644496cbaf7662aa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtor_partnerTenantId_createdDateTime" ON "managed_tenant_operation_results"  ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtor_operation_createdDateTime" ON "managed_tenant_operation_results"  ("partnerTenantId", "managedTenantOperationId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mtor_partnerTenantId_requestId" ON "managed_tenant_operation_results"  ("partnerTenantId", "requestId") WHERE "createRequestFingerprint" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operation_http_requests" ("id" character varying(36) COLLATE "C" NOT NULL, "partnerTenantId" character varying(36) COLLATE "C" NOT NULL, "partnerUserId" character varying(36) COLLATE "C" NOT NULL, "targetTenantId" character varying(36) COLLATE "C" NOT NULL, "managedTenantOperationId" character varying(36) COLLATE "C" NOT NULL, "requestId" character varying(36) COLLATE "C" NOT NULL, "createdDateTime" character varying(24) COLLATE "C" NOT NULL, "lastModifiedDateTime" character varying(24) COLLATE "C" NOT NULL, "attempt" integer, "statusCode" integer, "request" jsonb, "response" jsonb, "dynamicProperties" jsonb NOT NULL, "createRequestFingerprint" character varying(64) COLLATE "C", CONSTRAINT "PK_cdb5340d7696612052dfa3bf3c1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtoh_partnerTenantId_createdDateTime" ON "managed_tenant_operation_http_requests"  ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtoh_operation_createdDateTime" ON "managed_tenant_operation_http_requests"  ("partnerTenantId", "managedTenantOperationId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mtoh_partnerTenantId_requestId" ON "managed_tenant_operation_http_requests"  ("partnerTenantId", "requestId") WHERE "createRequestFingerprint" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mto_partnerTenantId_id" ON "managed_tenant_operations"  ("partnerTenantId", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "managed_tenant_operation_results" ADD CONSTRAINT "FK_5eef50082856f44be0f2a3a9efd" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations"("partnerTenantId","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "managed_tenant_operation_http_requests" ADD CONSTRAINT "FK_1c4ef31b634c79be62ce50b289e" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations"("partnerTenantId","id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "managed_tenant_operation_http_requests"`);
    await queryRunner.query(`DROP TABLE "managed_tenant_operation_results"`);
    await queryRunner.query(`DROP INDEX "UQ_mto_partnerTenantId_id"`);
  }
}
