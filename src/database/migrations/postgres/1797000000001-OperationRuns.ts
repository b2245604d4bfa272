import { MigrationInterface, QueryRunner } from 'typeorm';
import { OPERATION_RUN_TABLES } from '../1797000000000-OperationRuns';

/** The work of running operations, as on SQLite (../1797000000000-OperationRuns.ts). */
export class OperationRuns1797000000001 implements MigrationInterface {
  name = 'OperationRuns1797000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of OPERATION_RUN_TABLES('bigint')) await queryRunner.query(statement);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "operation_run_tenants"`);
    await queryRunner.query(`DROP TABLE "operation_runs"`);
  }
}
