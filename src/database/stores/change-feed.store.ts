import { Injectable } from '@nestjs/common';
import { DialectName } from '../../odata/query/sql-dialect';
import { SqlExecutor } from '../sql-executor';

/**
 * The change feed (src/database/migrations/1798000000000-ChangeFeed.ts): which entities of a
 * tenant's set changed between two positions. Rows are written by triggers in the transaction of
 * each change, so the feed and the tables never disagree.
 *
 * A position is opaque outside the store: on SQLite, the last sequence number committed (one
 * writer, so sequence order is commit order); on PostgreSQL, a snapshot of transaction ids
 * (instances commit in any order, and a snapshot says exactly which transactions a reader saw).
 */
export type FeedPosition = string;

/** Whose changes: a tenant's rows of one entity set, optionally those of one principal. */
export interface ChangeScope {
  readonly tenantId: string;
  readonly entitySet: string;
  /** `managedTenantOperationId` of the rows (a navigation's changes). */
  readonly parentId?: string;
}

/**
 * The feed's statements on each database: a position is the last sequence number on SQLite (one
 * writer commits in sequence order; read between writes, every earlier change is before it), and
 * a snapshot on PostgreSQL (the changes between two are those of transactions the later snapshot
 * sees and the earlier one does not, whatever order the instances committed in; a sequence number
 * could not say that, as a transaction that took a lower number may commit after a reader moved
 * past it).
 */
interface FeedSql {
  readonly position: string;
  readonly changedIds: string;
  /** The parameters of `changedIds` that say its window, between two positions. */
  readonly window: (from: FeedPosition, to: FeedPosition) => unknown[];
}

const FEED_SQL: Record<DialectName, FeedSql> = {
  sqlite: {
    position: `SELECT CAST(COALESCE(MAX("seq"), 0) AS TEXT) AS "position" FROM "entity_changes"`,
    changedIds: `SELECT DISTINCT "entityId" FROM "entity_changes" WHERE "partnerTenantId" = ? AND "entitySet" = ? AND (? IS NULL OR "parentId" = ?) AND "seq" > ? AND "seq" <= ? AND "entityId" > ? ORDER BY "entityId" LIMIT ?`,
    window: (from, to) => [Number(from), Number(to)],
  },
  postgres: {
    position: `SELECT pg_current_snapshot()::text AS "position"`,
    changedIds: `SELECT DISTINCT "entityId" FROM "entity_changes" WHERE "partnerTenantId" = ? AND "entitySet" = ? AND (?::varchar IS NULL OR "parentId" = ?) AND "txid" >= pg_snapshot_xmin(?::pg_snapshot) AND NOT pg_visible_in_snapshot("txid", ?::pg_snapshot) AND pg_visible_in_snapshot("txid", ?::pg_snapshot) AND "entityId" > ? ORDER BY "entityId" LIMIT ?`,
    window: (from, to) => [from, from, to],
  },
};

/** The change feed, on either database (SqlExecutor). */
@Injectable()
export class ChangeFeedStore {
  private readonly sql: FeedSql;

  constructor(private readonly db: SqlExecutor) {
    this.sql = FEED_SQL[db.dialect.name];
  }

  /** Where the feed stands now: every change committed before is before it. */
  position(): Promise<FeedPosition> {
    // Never read while a unit of work's transaction is open (on SQLite its uncommitted changes
    // would be counted in).
    return this.db.settled(async (session) => {
      const row = await session.get(this.sql.position);
      return String(row?.position ?? '0');
    });
  }

  /**
   * The ids of the entities in the scope that changed after `from` and up to `to`, each once, in
   * id order, after `afterId`, at most `limit`.
   */
  async changedIds(
    scope: ChangeScope,
    from: FeedPosition,
    to: FeedPosition,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const parent = scope.parentId ?? null;
    const rows = await this.db.all(this.sql.changedIds, [
      scope.tenantId,
      scope.entitySet,
      parent,
      parent,
      ...this.sql.window(from, to),
      afterId ?? '',
      limit,
    ]);
    return rows.map((row) => row.entityId as string);
  }

  /** Forgets the changes (tombstones included) recorded before `before` (epoch ms). */
  purge(before: number): Promise<number> {
    return this.db.run(`DELETE FROM "entity_changes" WHERE "changedAt" < ?`, [before]);
  }
}
