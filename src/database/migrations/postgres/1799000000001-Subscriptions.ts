import { MigrationInterface, QueryRunner } from 'typeorm';
import { SUBSCRIPTION_TABLES } from '../1799000000000-Subscriptions';

/** Change notifications, as on SQLite (../1799000000000-Subscriptions.ts). */
export class Subscriptions1799000000001 implements MigrationInterface {
  name = 'Subscriptions1799000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of SUBSCRIPTION_TABLES('bigserial PRIMARY KEY', 'bigint')) {
      await queryRunner.query(statement);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notification_deliveries"`);
    await queryRunner.query(`DROP TABLE "subscriptions"`);
  }
}
