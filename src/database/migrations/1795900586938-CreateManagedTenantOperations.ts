import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateManagedTenantOperations1795900586938 implements MigrationInterface {
  name = 'CreateManagedTenantOperations1795900586938';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "managed_tenant_operations" ("id" varchar(36) PRIMARY KEY NOT NULL, "result" json NOT NULL, "target" json NOT NULL, "operationDefinition" json NOT NULL, "aggregationDefinition" json NOT NULL, "credentials" json NOT NULL, "status" varchar(128) NOT NULL, "createdDateTime" varchar(24) NOT NULL, "lastModifiedDateTime" varchar(24) NOT NULL, "partnerTenantId" varchar(36) NOT NULL, "partnerUserId" varchar(36) NOT NULL, "name" varchar(256) NOT NULL, "description" varchar(4096) NOT NULL, "requestId" varchar(36) NOT NULL, "dynamicProperties" json NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "managed_tenant_operations"`);
  }
}
