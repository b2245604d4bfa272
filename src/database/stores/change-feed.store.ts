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

export abstract class ChangeFeedStore {
  /** Where the feed stands now: every change committed before is before it. */
  abstract position(): Promise<FeedPosition>;

  /**
   * The ids of the entities in the scope that changed after `from` and up to `to`, each once, in
   * id order, after `afterId`, at most `limit`.
   */
  abstract changedIds(
    scope: ChangeScope,
    from: FeedPosition,
    to: FeedPosition,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]>;

  /** Forgets the changes (tombstones included) recorded before `before` (epoch ms). */
  abstract purge(before: number): Promise<number>;
}
