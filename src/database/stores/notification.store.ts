import { Injectable } from '@nestjs/common';
import { SqlExecutor, SqlSession } from '../sql-executor';
import {
  changeFromRow,
  changeValues,
  DELIVERY_ROW_VALUES,
  deliveryFromRow,
  notificationSql,
  subscriptionFromRow,
  subscriptionValues,
} from './notification-sql';
import {
  DeliveryRecord,
  NewDelivery,
  PendingChange,
  SubscriptionChange,
  SubscriptionPosition,
  SubscriptionRecord,
} from './notification.records';

export * from './notification.records';

/** Notifications per multi-row INSERT (a burst of changes becomes a few statements). */
const DELIVERIES_PER_INSERT = 1_000;

/**
 * Change notifications' storage on either database (SqlExecutor): subscriptions, the outbox of
 * changes not yet matched against them (the change feed's `pending` rows, written with each
 * change), and the notifications waiting to be sent. On PostgreSQL, which instances share,
 * pending changes and due notifications are claimed with `FOR UPDATE SKIP LOCKED` (notifications
 * with a lease too), so that two instances neither match a change twice nor send a notification
 * twice, unless one dies mid-way (then its lease runs out and another sends it: at least once).
 */
@Injectable()
export class NotificationStore {
  private readonly sql: ReturnType<typeof notificationSql>;

  constructor(private readonly db: SqlExecutor) {
    this.sql = notificationSql(db.dialect);
  }

  /** Whether one process sends everything (SQLite): then every lease at start is a dead one's. */
  get singleProcess(): boolean {
    return this.db.singleProcess;
  }

  /**
   * Gives back every claimed notification, at the start of the one process that sends them.
   * Instances sharing a database give a lease back only by letting it run out.
   */
  async releaseLeases(): Promise<void> {
    if (this.db.singleProcess) await this.db.run(this.sql.releaseLeases);
  }

  async insertSubscription(record: SubscriptionRecord): Promise<void> {
    await this.db.run(this.sql.insertSubscription, subscriptionValues(record));
  }

  async findSubscription(tenantId: string, id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.db.get(this.sql.findSubscription, [tenantId, id]);
    return row ? subscriptionFromRow(row) : undefined;
  }

  /** A subscription in any state, for sending what it has queued. */
  async subscriptionById(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.db.get(this.sql.subscriptionById, [id]);
    return row ? subscriptionFromRow(row) : undefined;
  }

  /** A tenant's active subscriptions in creation order, after `after`, at most `limit`. */
  async listSubscriptions(
    tenantId: string,
    after: SubscriptionPosition | undefined,
    limit: number,
  ): Promise<SubscriptionRecord[]> {
    const from = after ?? { createdDateTime: '', id: '' };
    const rows = await this.db.all(this.sql.listSubscriptions, [
      tenantId,
      from.createdDateTime,
      from.createdDateTime,
      from.id,
      limit,
    ]);
    return rows.map(subscriptionFromRow);
  }

  /** How many active subscriptions a tenant has. */
  async countSubscriptions(tenantId: string): Promise<number> {
    const row = await this.db.get(this.sql.countSubscriptions, [tenantId]);
    return Number(row?.count ?? 0);
  }

  /** Applies `change` if the subscription is still at `version` (its lastModifiedDateTime). */
  async updateSubscription(
    tenantId: string,
    id: string,
    version: string,
    change: SubscriptionChange,
  ): Promise<boolean> {
    const changed = await this.db.run(this.sql.updateSubscription, [
      ...changeValues(change),
      tenantId,
      id,
      version,
    ]);
    return changed > 0;
  }

  async deleteSubscription(tenantId: string, id: string): Promise<boolean> {
    return (await this.db.run(this.sql.deleteSubscription, [tenantId, id])) > 0;
  }

  /** The active subscriptions of these tenants. */
  async activeSubscriptions(tenantIds: readonly string[]): Promise<SubscriptionRecord[]> {
    if (tenantIds.length === 0) return [];
    const rows = await this.db.all(this.sql.activeSubscriptions(tenantIds.length), tenantIds);
    return rows.map(subscriptionFromRow);
  }

  /**
   * Marks done, without reading them, up to `limit` pending changes of tenants that have no
   * active subscription (they make no notification; a subscription is sent the changes made
   * after it was created). Returns how many.
   */
  skipUnsubscribedChanges(limit: number): Promise<number> {
    return this.db.run(this.sql.skipUnsubscribedChanges, [limit]);
  }

  /**
   * Takes up to `limit` pending changes, lets `match` say which notifications they make, and
   * queues those while marking the changes done, atomically: a crash in between leaves the
   * changes pending (matched again: a duplicate, never a loss). `match` only reads the database
   * (it runs inside the transaction). Returns how many it took.
   */
  takePendingChanges(
    limit: number,
    now: number,
    match: (changes: readonly PendingChange[]) => Promise<NewDelivery[]>,
  ): Promise<number> {
    return this.db.transaction(async (session) => {
      const rows = await session.all(this.sql.pendingChanges, [limit]);
      if (rows.length === 0) return 0;
      const changes = rows.map(changeFromRow);
      await this.insertDeliveries(session, await match(changes), now);
      await session.run(
        this.sql.markChangesDone(changes.length),
        changes.map((change) => change.seq),
      );
      return changes.length;
    });
  }

  /** Subscriptions with notifications due and not claimed, oldest first. */
  async dueSubscriptions(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.all(this.sql.dueSubscriptions, [now, now, limit]);
    return rows.map((row) => row.subscriptionId as string);
  }

  /** Claims up to `limit` due notifications of a subscription until `leaseUntil`. */
  async claimDeliveries(
    subscriptionId: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    const rows = await this.db.all(this.sql.claimDeliveries, [
      owner,
      leaseUntil,
      subscriptionId,
      now,
      now,
      limit,
    ]);
    return rows.map(deliveryFromRow).sort((a, b) => a.id - b.id);
  }

  async completeDeliveries(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.db.run(this.sql.completeDeliveries(ids.length), ids);
  }

  async retryDeliveries(
    ids: readonly number[],
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(this.sql.retryDeliveries(ids.length), [nextAttemptAt, error, ...ids]);
  }

  /** Gives up on notifications: they are counted as dropped, and `lifecycle` (if any) queued. */
  dropDeliveries(
    subscriptionId: string,
    ids: readonly number[],
    now: number,
    lifecycle?: NewDelivery,
  ): Promise<void> {
    return this.db.transaction(async (session) => {
      if (ids.length > 0) await session.run(this.sql.completeDeliveries(ids.length), ids);
      await session.run(this.sql.countDropped, [ids.length, subscriptionId]);
      if (lifecycle) await this.insertDeliveries(session, [lifecycle], now);
    });
  }

  /**
   * Marks the active subscriptions that expired before `now` as removed, drops their change
   * notifications, and queues what `lifecycle` makes of each; returns them.
   */
  expireSubscriptions(
    now: number,
    lifecycle: (subscription: SubscriptionRecord) => NewDelivery | undefined,
  ): Promise<SubscriptionRecord[]> {
    return this.db.transaction(async (session) => {
      const expired = (await session.all(this.sql.expired, [now])).map(subscriptionFromRow);
      for (const subscription of expired) {
        await session.run(this.sql.removeSubscription, [now, subscription.id]);
        await session.run(this.sql.dropChangesOf, [subscription.id]);
        const event = lifecycle(subscription);
        if (event) await this.insertDeliveries(session, [event], now);
      }
      return expired;
    });
  }

  /** Deletes the subscriptions removed before `before` (their notifications go with them). */
  purgeRemoved(before: number): Promise<number> {
    return this.db.run(this.sql.purgeRemoved, [before]);
  }

  private async insertDeliveries(
    session: SqlSession,
    deliveries: readonly NewDelivery[],
    now: number,
  ): Promise<void> {
    const perInsert = Math.min(
      DELIVERIES_PER_INSERT,
      Math.floor(this.db.dialect.maxParameters / DELIVERY_ROW_VALUES),
    );
    for (let start = 0; start < deliveries.length; start += perInsert) {
      const chunk = deliveries.slice(start, start + perInsert);
      await session.run(
        this.sql.insertDeliveries(chunk.length),
        chunk.flatMap((delivery) => [
          delivery.subscriptionId,
          delivery.kind,
          delivery.payload,
          now,
          now,
        ]),
      );
    }
  }
}
