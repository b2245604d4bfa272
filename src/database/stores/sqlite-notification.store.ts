import { DataSource } from 'typeorm';
import { sharedGroupCommit } from '../group-commit';
import { SerialWriter } from '../serial-writer';
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
import { SqliteStatement, SqliteStatements } from './sqlite-statements';

const SQL = notificationSql('', { is: '"pending" = 1', done: '"pending" = 0' });

/**
 * Change notifications on SQLite: one process sends them, so claims need no locks; writes are
 * group-committed with the entity stores' through the one write queue.
 */
export class SqliteNotificationStore extends NotificationStore {
  readonly singleProcess = true;
  private readonly sql: SqliteStatements;

  constructor(
    dataSource: DataSource,
    private readonly writer: SerialWriter,
  ) {
    super();
    this.sql = new SqliteStatements(dataSource);
  }

  releaseLeases(): Promise<void> {
    return this.write(() => {
      this.prepared(SQL.releaseLeases).run();
    });
  }

  insertSubscription(record: SubscriptionRecord): Promise<void> {
    return this.write(() => {
      this.prepared(SQL.insertSubscription).run(...subscriptionValues(record));
    });
  }

  findSubscription(tenantId: string, id: string): Promise<SubscriptionRecord | undefined> {
    const row = this.prepared(SQL.findSubscription).get(tenantId, id);
    return Promise.resolve(row ? subscriptionFromRow(row as Record<string, unknown>) : undefined);
  }

  subscriptionById(id: string): Promise<SubscriptionRecord | undefined> {
    const row = this.prepared(SQL.subscriptionById).get(id);
    return Promise.resolve(row ? subscriptionFromRow(row as Record<string, unknown>) : undefined);
  }

  listSubscriptions(
    tenantId: string,
    after: SubscriptionPosition | undefined,
    limit: number,
  ): Promise<SubscriptionRecord[]> {
    const from = after ?? { createdDateTime: '', id: '' };
    return Promise.resolve(
      this.all(
        SQL.listSubscriptions,
        tenantId,
        from.createdDateTime,
        from.createdDateTime,
        from.id,
        limit,
      ).map(subscriptionFromRow),
    );
  }

  countSubscriptions(tenantId: string): Promise<number> {
    const row = this.prepared(SQL.countSubscriptions).get(tenantId) as { count: number };
    return Promise.resolve(Number(row.count));
  }

  updateSubscription(
    tenantId: string,
    id: string,
    version: string,
    change: SubscriptionChange,
  ): Promise<boolean> {
    return this.write(
      () =>
        this.prepared(SQL.updateSubscription).run(...changeValues(change), tenantId, id, version)
          .changes > 0,
    );
  }

  deleteSubscription(tenantId: string, id: string): Promise<boolean> {
    return this.write(() => this.prepared(SQL.deleteSubscription).run(tenantId, id).changes > 0);
  }

  activeSubscriptions(tenantIds: readonly string[]): Promise<SubscriptionRecord[]> {
    if (tenantIds.length === 0) return Promise.resolve([]);
    return Promise.resolve(
      this.all(SQL.activeSubscriptions(tenantIds.length), ...tenantIds).map(subscriptionFromRow),
    );
  }

  skipUnsubscribedChanges(limit: number): Promise<number> {
    return this.write(() => this.prepared(SQL.skipUnsubscribedChanges).run(limit).changes);
  }

  async takePendingChanges(
    limit: number,
    now: number,
    match: (changes: readonly PendingChange[]) => Promise<NewDelivery[]>,
  ): Promise<number> {
    // One process takes them (the dispatcher runs one fan-out at a time), so no claim is needed.
    // Read in the write queue, so never while an atomic $batch group's transaction is open.
    const changes = await this.writer.run(() =>
      Promise.resolve(this.all(SQL.pendingChanges, limit).map(changeFromRow)),
    );
    if (changes.length === 0) return 0;
    const deliveries = await match(changes);
    await this.write(() => {
      this.insertDeliveries(deliveries, now);
      this.prepared(SQL.markChangesDone(changes.length)).run(...changes.map((c) => c.seq));
    });
    return changes.length;
  }

  dueSubscriptions(now: number, limit: number): Promise<string[]> {
    return Promise.resolve(
      this.all(SQL.dueSubscriptions, now, now, limit).map((row) => row.subscriptionId as string),
    );
  }

  claimDeliveries(
    subscriptionId: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    return this.write(() =>
      this.all(SQL.claimDeliveries, owner, leaseUntil, subscriptionId, now, now, limit)
        .map(deliveryFromRow)
        .sort((a, b) => a.id - b.id),
    );
  }

  completeDeliveries(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.write(() => {
      this.prepared(SQL.completeDeliveries(ids.length)).run(...ids);
    });
  }

  retryDeliveries(ids: readonly number[], nextAttemptAt: number, error: string): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.write(() => {
      this.prepared(SQL.retryDeliveries(ids.length)).run(nextAttemptAt, error, ...ids);
    });
  }

  dropDeliveries(
    subscriptionId: string,
    ids: readonly number[],
    now: number,
    lifecycle?: NewDelivery,
  ): Promise<void> {
    return this.write(() => {
      if (ids.length > 0) this.prepared(SQL.completeDeliveries(ids.length)).run(...ids);
      this.prepared(SQL.countDropped).run(ids.length, subscriptionId);
      if (lifecycle) this.insertDeliveries([lifecycle], now);
    });
  }

  expireSubscriptions(
    now: number,
    lifecycle: (subscription: SubscriptionRecord) => NewDelivery | undefined,
  ): Promise<SubscriptionRecord[]> {
    return this.write(() => {
      const expired = this.all(SQL.expired, now).map(subscriptionFromRow);
      for (const subscription of expired) {
        this.prepared(SQL.removeSubscription).run(now, subscription.id);
        this.prepared(SQL.dropChangesOf).run(subscription.id);
        const event = lifecycle(subscription);
        if (event) this.insertDeliveries([event], now);
      }
      return expired;
    });
  }

  purgeRemoved(before: number): Promise<number> {
    return this.write(() => this.prepared(SQL.purgeRemoved).run(before).changes);
  }

  private insertDeliveries(deliveries: readonly NewDelivery[], now: number): void {
    const insert = this.prepared(SQL.insertDelivery);
    for (const delivery of deliveries) {
      insert.run(delivery.subscriptionId, delivery.kind, delivery.payload, now, now);
    }
  }

  private all(sql: string, ...parameters: unknown[]): Array<Record<string, unknown>> {
    return this.sql.all(sql, ...parameters);
  }

  private write<T>(write: () => T): Promise<T> {
    return sharedGroupCommit(this.writer, () => this.sql.connection).run(write);
  }

  private prepared(sql: string): SqliteStatement {
    return this.sql.prepared(sql);
  }
}
