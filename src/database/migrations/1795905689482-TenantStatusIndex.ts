import { MigrationInterface, QueryRunner } from 'typeorm';

export class TenantStatusIndex1795905689482 implements MigrationInterface {
  name = 'TenantStatusIndex1795905689482';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_partnerTenantId_status_createdDateTime" ON "managed_tenant_operations" ("partnerTenantId", "status", "createdDateTime", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_mto_partnerTenantId_status_createdDateTime"`);
  }
}
