import { QueryRunner } from 'typeorm';
import { ChangeSource, TenantDirectory1803000000000 } from '../1803000000000-TenantDirectory';

/** The directories of customer tenants, as on SQLite (../1803000000000-TenantDirectory.ts). */
export class TenantDirectory1803000000001 extends TenantDirectory1803000000000 {
  override name = 'TenantDirectory1803000000001';
  protected override readonly types = {
    text: (length: number) => `character varying(${length}) COLLATE "C"`,
    json: 'jsonb',
    epochMs: 'bigint',
  };

  protected override async recordChanges(
    queryRunner: QueryRunner,
    { table, entitySet, prefix }: ChangeSource,
  ): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "record_change_${prefix}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${entitySet}', OLD."partnerTenantId", OLD."id", NULL, 'deleted', NULL); RETURN OLD; END IF; INSERT INTO "entity_changes" ("entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version") VALUES ('${entitySet}', NEW."partnerTenantId", NEW."id", NULL, CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END, NEW."lastModifiedDateTime"); RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "TR_${prefix}_changes" AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "record_change_${prefix}"()`,
    );
  }

  protected override async forgetChanges(
    queryRunner: QueryRunner,
    { table, prefix }: ChangeSource,
  ): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TR_${prefix}_changes" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION "record_change_${prefix}"()`);
  }
}
