import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHANGE_FEED_INDEXES, CHANGE_FEED_SOURCES } from '../1798000000000-ChangeFeed';

/**
 * The change feed, as on SQLite (../1798000000000-ChangeFeed.ts). Each row also holds the id of
 * the transaction that wrote it (`txid`): instances commit in any order, so a sequence number
 * says nothing about which changes a reader has seen; a snapshot of transaction ids does
 * (delta tokens hold one).
 */
export class ChangeFeed1798000000001 implements MigrationInterface {
  name = 'ChangeFeed1798000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "entity_changes" ("seq" bigserial PRIMARY KEY, "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(), "entitySet" varchar(64) COLLATE "C" NOT NULL, "partnerTenantId" varchar(36) COLLATE "C" NOT NULL, "entityId" varchar(36) COLLATE "C" NOT NULL, "parentId" varchar(36) COLLATE "C", "changeType" varchar(8) NOT NULL, "version" varchar(24) COLLATE "C", "changedAt" bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, "pending" boolean NOT NULL DEFAULT true)`,
    );
    for (const statement of CHANGE_FEED_INDEXES('"txid"', '"pending"')) {
      await queryRunner.query(statement);
    }
    for (const table of CHANGE_FEED_SOURCES) {
      const parent = (row: string) =>
        table.parentColumn ? `${row}."${table.parentColumn}"` : 'NULL';
      await queryRunner.query(
        `CREATE FUNCTION "record_change_${table.prefix}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${table.entitySet}', OLD."partnerTenantId", OLD."id", ${parent('OLD')}, 'deleted', NULL); RETURN OLD; END IF; INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${table.entitySet}', NEW."partnerTenantId", NEW."id", ${parent('NEW')}, CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END, NEW."lastModifiedDateTime"); RETURN NEW; END $$`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "TR_${table.prefix}_changes" AFTER INSERT OR UPDATE OR DELETE ON "${table.tableName}" FOR EACH ROW EXECUTE FUNCTION "record_change_${table.prefix}"()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of CHANGE_FEED_SOURCES) {
      await queryRunner.query(`DROP TRIGGER "TR_${table.prefix}_changes" ON "${table.tableName}"`);
      await queryRunner.query(`DROP FUNCTION "record_change_${table.prefix}"()`);
    }
    await queryRunner.query(`DROP TABLE "entity_changes"`);
  }
}
