import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotent create: (partnerTenantId, requestId) is unique, and each row keeps the fingerprint of
 * the request that created it. Written by hand: SQLite can add a nullable column in place, where
 * the generated migration would copy the whole table.
 */
export class IdempotentCreate1795902617479 implements MigrationInterface {
  name = 'IdempotentCreate1795902617479';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "managed_tenant_operations" ADD COLUMN "createRequestFingerprint" varchar(64)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mto_partnerTenantId_requestId" ON "managed_tenant_operations" ("partnerTenantId", "requestId") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_mto_partnerTenantId_requestId"`);
    await queryRunner.query(
      `ALTER TABLE "managed_tenant_operations" DROP COLUMN "createRequestFingerprint"`,
    );
  }
}
