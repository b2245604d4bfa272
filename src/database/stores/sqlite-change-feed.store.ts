import { DataSource } from 'typeorm';
import { SerialWriter } from '../serial-writer';
import { ChangeFeedStore, ChangeScope, FeedPosition } from './change-feed.store';
import { SqliteStatement, SqliteStatements } from './sqlite-statements';

const SCOPE = `"partnerTenantId" = ? AND "entitySet" = ? AND (? IS NULL OR "parentId" = ?)`;

/**
 * The change feed on SQLite. One connection writes, and it commits a group without yielding, so
 * the highest sequence number read between writes is a position every earlier change is before.
 */
export class SqliteChangeFeedStore extends ChangeFeedStore {
  private readonly sql: SqliteStatements;

  constructor(
    dataSource: DataSource,
    private readonly writer: SerialWriter,
  ) {
    super();
    this.sql = new SqliteStatements(dataSource);
  }

  /** Read in the write queue: never while an atomic $batch group's transaction is open. */
  position(): Promise<FeedPosition> {
    return this.writer.run(() => {
      const row = this.prepared(
        `SELECT COALESCE(MAX("seq"), 0) AS "seq" FROM "entity_changes"`,
      ).get() as {
        seq: number;
      };
      return Promise.resolve(String(row.seq));
    });
  }

  changedIds(
    scope: ChangeScope,
    from: FeedPosition,
    to: FeedPosition,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const parent = scope.parentId ?? null;
    const rows = this.prepared(
      `SELECT DISTINCT "entityId" FROM "entity_changes" WHERE ${SCOPE} AND "seq" > ? AND "seq" <= ? AND "entityId" > ? ORDER BY "entityId" LIMIT ?`,
    ).all(
      scope.tenantId,
      scope.entitySet,
      parent,
      parent,
      Number(from),
      Number(to),
      afterId ?? '',
      limit,
    ) as Array<{ entityId: string }>;
    return Promise.resolve(rows.map((row) => row.entityId));
  }

  purge(before: number): Promise<number> {
    return this.writer.run(() =>
      Promise.resolve(
        this.prepared(`DELETE FROM "entity_changes" WHERE "changedAt" < ?`).run(before).changes,
      ),
    );
  }

  private prepared(sql: string): SqliteStatement {
    return this.sql.prepared(sql);
  }
}
