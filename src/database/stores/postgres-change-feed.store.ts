import { DataSource } from 'typeorm';
import { ChangeFeedStore, ChangeScope, FeedPosition } from './change-feed.store';
import { affectedOf } from './postgres-results';

/**
 * The change feed on PostgreSQL. A position is a snapshot (`pg_current_snapshot()`): the changes
 * between two are those of transactions the later snapshot sees and the earlier one does not,
 * whatever order the instances committed in. A sequence number could not say that: a
 * transaction that took a lower number may commit after a reader has moved past it.
 */
export class PostgresChangeFeedStore extends ChangeFeedStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async position(): Promise<FeedPosition> {
    const [row] = (await this.dataSource.query(
      `SELECT pg_current_snapshot()::text AS "snapshot"`,
    )) as Array<{ snapshot: string }>;
    return row.snapshot;
  }

  async changedIds(
    scope: ChangeScope,
    from: FeedPosition,
    to: FeedPosition,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT "entityId" FROM "entity_changes" WHERE "partnerTenantId" = $1 AND "entitySet" = $2 AND ($3::varchar IS NULL OR "parentId" = $3) AND "txid" >= pg_snapshot_xmin($4::pg_snapshot) AND NOT pg_visible_in_snapshot("txid", $4::pg_snapshot) AND pg_visible_in_snapshot("txid", $5::pg_snapshot) AND "entityId" > $6 ORDER BY "entityId" LIMIT $7`,
      [scope.tenantId, scope.entitySet, scope.parentId ?? null, from, to, afterId ?? '', limit],
    )) as Array<{ entityId: string }>;
    return rows.map((row) => row.entityId);
  }

  async purge(before: number): Promise<number> {
    return affectedOf(
      await this.dataSource.query(`DELETE FROM "entity_changes" WHERE "changedAt" < $1`, [before]),
    );
  }
}
