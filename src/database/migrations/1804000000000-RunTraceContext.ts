import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the request (or schedule firing) that started a run, so that every
 * tenant of the run, on whichever instance, is traced as part of it.
 */
export class RunTraceContext1804000000000 implements MigrationInterface {
  name = 'RunTraceContext1804000000000';
  protected readonly traceparentType: string = 'varchar(55)';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "operation_runs" ADD COLUMN "traceparent" ${this.traceparentType}`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "operation_runs" DROP COLUMN "traceparent"`);
  }
}
