import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The results and HTTP requests of operations. Each row names its operation within its
 * tenant, (partnerTenantId, managedTenantOperationId) → (partnerTenantId, id), so the database
 * refuses a row for another tenant's operation and deletes the rows with their operation.
 */
export class OperationResultsAndHttpRequests1796000000000 implements MigrationInterface {
  name = 'OperationResultsAndHttpRequests1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mto_partnerTenantId_id" ON "managed_tenant_operations" ("partnerTenantId", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operation_results" ("id" varchar(36) PRIMARY KEY NOT NULL, "partnerTenantId" varchar(36) NOT NULL, "partnerUserId" varchar(36) NOT NULL, "targetTenantId" varchar(36) NOT NULL, "managedTenantOperationId" varchar(36) NOT NULL, "requestId" varchar(36) NOT NULL, "createdDateTime" varchar(24) NOT NULL, "lastModifiedDateTime" varchar(24) NOT NULL, "isSuccess" boolean, "exception" varchar(32768), "executionInfo" varchar(32768), "result" json, "dynamicProperties" json NOT NULL, "createRequestFingerprint" varchar(64), CONSTRAINT "FK_5eef50082856f44be0f2a3a9efd" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations" ("partnerTenantId", "id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtor_partnerTenantId_createdDateTime" ON "managed_tenant_operation_results" ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtor_operation_createdDateTime" ON "managed_tenant_operation_results" ("partnerTenantId", "managedTenantOperationId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mtor_partnerTenantId_requestId" ON "managed_tenant_operation_results" ("partnerTenantId", "requestId") WHERE "createRequestFingerprint" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operation_http_requests" ("id" varchar(36) PRIMARY KEY NOT NULL, "partnerTenantId" varchar(36) NOT NULL, "partnerUserId" varchar(36) NOT NULL, "targetTenantId" varchar(36) NOT NULL, "managedTenantOperationId" varchar(36) NOT NULL, "requestId" varchar(36) NOT NULL, "createdDateTime" varchar(24) NOT NULL, "lastModifiedDateTime" varchar(24) NOT NULL, "attempt" integer, "statusCode" integer, "request" json, "response" json, "dynamicProperties" json NOT NULL, "createRequestFingerprint" varchar(64), CONSTRAINT "FK_1c4ef31b634c79be62ce50b289e" FOREIGN KEY ("partnerTenantId", "managedTenantOperationId") REFERENCES "managed_tenant_operations" ("partnerTenantId", "id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtoh_partnerTenantId_createdDateTime" ON "managed_tenant_operation_http_requests" ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mtoh_operation_createdDateTime" ON "managed_tenant_operation_http_requests" ("partnerTenantId", "managedTenantOperationId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mtoh_partnerTenantId_requestId" ON "managed_tenant_operation_http_requests" ("partnerTenantId", "requestId") WHERE "createRequestFingerprint" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "managed_tenant_operation_http_requests"`);
    await queryRunner.query(`DROP TABLE "managed_tenant_operation_results"`);
    await queryRunner.query(`DROP INDEX "UQ_mto_partnerTenantId_id"`);
  }
}
