import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddQueryIndexes1795901789825 implements MigrationInterface {
  name = 'AddQueryIndexes1795901789825';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_createdDateTime" ON "managed_tenant_operations" ("createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_status_createdDateTime" ON "managed_tenant_operations" ("status", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_partnerTenantId_createdDateTime" ON "managed_tenant_operations" ("partnerTenantId", "createdDateTime", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_requestId" ON "managed_tenant_operations" ("requestId") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_mto_requestId"`);
    await queryRunner.query(`DROP INDEX "IDX_mto_partnerTenantId_createdDateTime"`);
    await queryRunner.query(`DROP INDEX "IDX_mto_status_createdDateTime"`);
    await queryRunner.query(`DROP INDEX "IDX_mto_createdDateTime"`);
  }
}
