import { DataSource, EntityManager } from 'typeorm';
import {
  changeFromRow,
  changeValues,
  deliveryFromRow,
  notificationSql,
  subscriptionFromRow,
  subscriptionValues,
} from './notification-sql';
import {
  DeliveryRecord,
  NewDelivery,
  NotificationStore,
  SubscriptionPosition,
  PendingChange,
  SubscriptionChange,
  SubscriptionRecord,
} from './notification.store';
import { affectedOf, numbered, rowsOf } from './postgres-results';

/** The statements (placeholders numbered when run); claims skip rows others hold. */
const RAW = notificationSql(' FOR UPDATE SKIP LOCKED', {
  is: '"pending"',
  done: '"pending" = false',
});

/**
 * Change notifications on PostgreSQL, shared by every instance: pending changes and due
 * notifications are claimed with `FOR UPDATE SKIP LOCKED` (and notifications with a lease), so
 * that two instances neither match a change twice nor send a notification twice, unless one
 * dies mid-way (then its lease runs out and another sends it: at least once).
 */
export class PostgresNotificationStore extends NotificationStore {
  readonly singleProcess = false;
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /** Instances share the notifications: a lease is given back only by running out. */
  releaseLeases(): Promise<void> {
    return Promise.resolve();
  }

  async insertSubscription(record: SubscriptionRecord): Promise<void> {
    await this.query(RAW.insertSubscription, subscriptionValues(record));
  }

  async findSubscription(tenantId: string, id: string): Promise<SubscriptionRecord | undefined> {
    const [row] = await this.query(RAW.findSubscription, [tenantId, id]);
    return row ? subscriptionFromRow(row) : undefined;
  }

  async subscriptionById(id: string): Promise<SubscriptionRecord | undefined> {
    const [row] = await this.query(RAW.subscriptionById, [id]);
    return row ? subscriptionFromRow(row) : undefined;
  }

  async listSubscriptions(
    tenantId: string,
    after: SubscriptionPosition | undefined,
    limit: number,
  ): Promise<SubscriptionRecord[]> {
    const from = after ?? { createdDateTime: '', id: '' };
    return (
      await this.query(RAW.listSubscriptions, [
        tenantId,
        from.createdDateTime,
        from.createdDateTime,
        from.id,
        limit,
      ])
    ).map(subscriptionFromRow);
  }

  async countSubscriptions(tenantId: string): Promise<number> {
    const [row] = await this.query(RAW.countSubscriptions, [tenantId]);
    return Number(row.count);
  }

  async updateSubscription(
    tenantId: string,
    id: string,
    version: string,
    change: SubscriptionChange,
  ): Promise<boolean> {
    return (
      (await this.changes(RAW.updateSubscription, [
        ...changeValues(change),
        tenantId,
        id,
        version,
      ])) > 0
    );
  }

  async deleteSubscription(tenantId: string, id: string): Promise<boolean> {
    return (await this.changes(RAW.deleteSubscription, [tenantId, id])) > 0;
  }

  async activeSubscriptions(tenantIds: readonly string[]): Promise<SubscriptionRecord[]> {
    if (tenantIds.length === 0) return [];
    return (await this.query(RAW.activeSubscriptions(tenantIds.length), [...tenantIds])).map(
      subscriptionFromRow,
    );
  }

  skipUnsubscribedChanges(limit: number): Promise<number> {
    return this.changes(RAW.skipUnsubscribedChanges, [limit]);
  }

  takePendingChanges(
    limit: number,
    now: number,
    match: (changes: readonly PendingChange[]) => Promise<NewDelivery[]>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const changes = (await this.query(RAW.pendingChanges, [limit], manager)).map(changeFromRow);
      if (changes.length === 0) return 0;
      const deliveries = await match(changes);
      await this.insertDeliveries(deliveries, now, manager);
      await this.query(
        RAW.markChangesDone(changes.length),
        changes.map((change) => change.seq),
        manager,
      );
      return changes.length;
    });
  }

  async dueSubscriptions(now: number, limit: number): Promise<string[]> {
    return (await this.query(RAW.dueSubscriptions, [now, now, limit])).map(
      (row) => row.subscriptionId as string,
    );
  }

  async claimDeliveries(
    subscriptionId: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    return (
      await this.query(RAW.claimDeliveries, [owner, leaseUntil, subscriptionId, now, now, limit])
    )
      .map(deliveryFromRow)
      .sort((a, b) => a.id - b.id);
  }

  async completeDeliveries(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.query(RAW.completeDeliveries(ids.length), [...ids]);
  }

  async retryDeliveries(
    ids: readonly number[],
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    if (ids.length > 0) {
      await this.query(RAW.retryDeliveries(ids.length), [nextAttemptAt, error, ...ids]);
    }
  }

  dropDeliveries(
    subscriptionId: string,
    ids: readonly number[],
    now: number,
    lifecycle?: NewDelivery,
  ): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      if (ids.length > 0) await this.query(RAW.completeDeliveries(ids.length), [...ids], manager);
      await this.query(RAW.countDropped, [ids.length, subscriptionId], manager);
      if (lifecycle) await this.insertDeliveries([lifecycle], now, manager);
    });
  }

  expireSubscriptions(
    now: number,
    lifecycle: (subscription: SubscriptionRecord) => NewDelivery | undefined,
  ): Promise<SubscriptionRecord[]> {
    return this.dataSource.transaction(async (manager) => {
      const expired = (await this.query(RAW.expired, [now], manager)).map(subscriptionFromRow);
      for (const subscription of expired) {
        await this.query(RAW.removeSubscription, [now, subscription.id], manager);
        await this.query(RAW.dropChangesOf, [subscription.id], manager);
        const event = lifecycle(subscription);
        if (event) await this.insertDeliveries([event], now, manager);
      }
      return expired;
    });
  }

  async purgeRemoved(before: number): Promise<number> {
    return this.changes(RAW.purgeRemoved, [before]);
  }

  private async insertDeliveries(
    deliveries: readonly NewDelivery[],
    now: number,
    manager: EntityManager,
  ): Promise<void> {
    // Many rows per statement: a burst of changes becomes a few INSERTs, not one per row.
    for (let start = 0; start < deliveries.length; start += 1_000) {
      const batch = deliveries.slice(start, start + 1_000);
      const values: unknown[] = [];
      const rows = batch.map((delivery, index) => {
        values.push(delivery.subscriptionId, delivery.kind, delivery.payload, now, now);
        const base = index * 5;
        return `($${base + 1}, $${base + 2}, $${base + 3}, 0, $${base + 4}, $${base + 5}, 0)`;
      });
      await manager.query(
        `INSERT INTO "notification_deliveries" ("subscriptionId", "kind", "payload", "attempts", "queuedAt", "nextAttemptAt", "leaseUntil") VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }

  private async query(
    sql: string,
    parameters: unknown[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Array<Record<string, unknown>>> {
    return rowsOf(await manager.query(numbered(sql), parameters));
  }

  private async changes(sql: string, parameters: unknown[]): Promise<number> {
    return affectedOf(await this.dataSource.manager.query(numbered(sql), parameters));
  }
}
