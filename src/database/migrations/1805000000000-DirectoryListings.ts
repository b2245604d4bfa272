import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = '"directory_listing_tenants"';

/**
 * The customers a listing of a partner's contracts has listed so far, one row each, so that a
 * listing of any size holds none of them in memory: at its end, the directory's customers it did
 * not list are found in SQL, and its rows go. A listing cut short by a crash leaves rows that the
 * next listings remove once they are old (`listedAt`).
 */
export class DirectoryListings1805000000000 implements MigrationInterface {
  name = 'DirectoryListings1805000000000';
  protected readonly types = { text: (length: number) => `varchar(${length})`, epochMs: 'integer' };

  public async up(queryRunner: QueryRunner): Promise<void> {
    const { text, epochMs } = this.types;
    await queryRunner.query(
      `CREATE TABLE ${TABLE} ("listingId" ${text(36)} NOT NULL, "tenantId" ${text(36)} NOT NULL, "listedAt" ${epochMs} NOT NULL, CONSTRAINT "PK_directory_listing_tenants" PRIMARY KEY ("listingId", "tenantId"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_directory_listing_tenants_listedAt" ON ${TABLE} ("listedAt")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${TABLE}`);
  }
}
