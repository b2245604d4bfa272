import { MigrationInterface, QueryRunner } from 'typeorm';

const OPERATIONS = '"managed_tenant_operations"';

/**
 * Operations that run by themselves: the `schedule` property, and the column the scheduler finds
 * due schedules by (the next slot of a schedule that is not paused), with its index.
 */
export class Schedules1802000000000 implements MigrationInterface {
  name = 'Schedules1802000000000';
  protected readonly scheduleType: string = 'json';
  protected readonly dueAtType: string = 'varchar(24)';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${OPERATIONS} ADD COLUMN "schedule" ${this.scheduleType}`);
    await queryRunner.query(
      `ALTER TABLE ${OPERATIONS} ADD COLUMN "scheduleDueAt" ${this.dueAtType}`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mto_scheduleDueAt" ON ${OPERATIONS} ("scheduleDueAt", "partnerTenantId", "id") WHERE "scheduleDueAt" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_mto_scheduleDueAt"`);
    await queryRunner.query(`ALTER TABLE ${OPERATIONS} DROP COLUMN "scheduleDueAt"`);
    await queryRunner.query(`ALTER TABLE ${OPERATIONS} DROP COLUMN "schedule"`);
  }
}
