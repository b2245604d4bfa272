import {
  DeliveryRecord,
  PendingChange,
  SubscriptionChange,
  SubscriptionRecord,
} from './notification.records';
import { placeholders, StoreDialect } from '../sql-executor';

/**
 * The statements of change notifications, written once for both databases with `?`
 * placeholders (the PostgreSQL executor numbers them). Every value is bound; the only text put
 * together is the dialect's (PostgreSQL's `FOR UPDATE SKIP LOCKED`, so that instances claim
 * different rows, and how each database writes the outbox flag) and placeholders.
 */
export const SUBSCRIPTION_COLUMNS = [
  'id',
  'partnerTenantId',
  'creatorId',
  'applicationId',
  'resource',
  'entitySet',
  'entityId',
  'parentId',
  'filter',
  'changeTypes',
  'notificationUrl',
  'lifecycleNotificationUrl',
  'expirationDateTime',
  'expiresAt',
  'clientState',
  'latestSupportedTlsVersion',
  'state',
  'removedAt',
  'dropped',
  'createdDateTime',
  'lastModifiedDateTime',
] as const;

const CHANGE_COLUMNS = [
  'expirationDateTime',
  'expiresAt',
  'notificationUrl',
  'lifecycleNotificationUrl',
  'lastModifiedDateTime',
] as const;

/** The values of one row of `insertDeliveries`. */
export const DELIVERY_ROW_VALUES = 5;

export function notificationSql(dialect: StoreDialect) {
  const lock = dialect.skipLocked;
  const pending = { is: `"pending" = ${dialect.true}`, done: `"pending" = ${dialect.false}` };
  return {
    insertSubscription: `INSERT INTO "subscriptions" (${SUBSCRIPTION_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${SUBSCRIPTION_COLUMNS.map(() => '?').join(', ')})`,
    findSubscription: `SELECT * FROM "subscriptions" WHERE "partnerTenantId" = ? AND "id" = ? AND "state" = 'active'`,
    subscriptionById: `SELECT * FROM "subscriptions" WHERE "id" = ?`,
    /** A page of a tenant's active subscriptions after (createdDateTime, id); ('', '') for the first. */
    listSubscriptions: `SELECT * FROM "subscriptions" WHERE "partnerTenantId" = ? AND "state" = 'active' AND ("createdDateTime" > ? OR ("createdDateTime" = ? AND "id" > ?)) ORDER BY "createdDateTime", "id" LIMIT ?`,
    countSubscriptions: `SELECT COUNT(*) AS "count" FROM "subscriptions" WHERE "partnerTenantId" = ? AND "state" = 'active'`,
    updateSubscription: `UPDATE "subscriptions" SET ${CHANGE_COLUMNS.map((c) => `"${c}" = COALESCE(?, "${c}")`).join(', ')} WHERE "partnerTenantId" = ? AND "id" = ? AND "lastModifiedDateTime" = ? AND "state" = 'active'`,
    deleteSubscription: `DELETE FROM "subscriptions" WHERE "partnerTenantId" = ? AND "id" = ? AND "state" = 'active'`,
    /** Pending changes of tenants with no active subscription, marked done unread (a batch). */
    skipUnsubscribedChanges: `UPDATE "entity_changes" SET ${pending.done} WHERE "seq" IN (SELECT c."seq" FROM "entity_changes" c WHERE ${pending.is} AND NOT EXISTS (SELECT 1 FROM "subscriptions" s WHERE s."partnerTenantId" = c."partnerTenantId" AND s."state" = 'active') ORDER BY c."seq" LIMIT ?${lock})`,
    pendingChanges: `SELECT "seq", "entitySet", "partnerTenantId", "entityId", "parentId", "changeType", "version" FROM "entity_changes" WHERE ${pending.is} ORDER BY "seq" LIMIT ?${lock}`,
    dueSubscriptions: `SELECT "subscriptionId" FROM "notification_deliveries" WHERE "nextAttemptAt" <= ? AND "leaseUntil" < ? GROUP BY "subscriptionId" ORDER BY MIN("id") LIMIT ?`,
    claimDeliveries: `UPDATE "notification_deliveries" SET "leaseOwner" = ?, "leaseUntil" = ?, "attempts" = "attempts" + 1 WHERE "id" IN (SELECT "id" FROM "notification_deliveries" WHERE "subscriptionId" = ? AND "nextAttemptAt" <= ? AND "leaseUntil" < ? ORDER BY "id" LIMIT ?${lock}) RETURNING *`,
    releaseLeases: `UPDATE "notification_deliveries" SET "leaseOwner" = NULL, "leaseUntil" = 0 WHERE "leaseUntil" > 0`,
    countDropped: `UPDATE "subscriptions" SET "dropped" = "dropped" + ? WHERE "id" = ?`,
    expired: `SELECT * FROM "subscriptions" WHERE "state" = 'active' AND "expiresAt" < ? ORDER BY "expiresAt" LIMIT 100${lock}`,
    removeSubscription: `UPDATE "subscriptions" SET "state" = 'removed', "removedAt" = ? WHERE "id" = ? AND "state" = 'active'`,
    dropChangesOf: `DELETE FROM "notification_deliveries" WHERE "subscriptionId" = ? AND "kind" = 'change'`,
    purgeRemoved: `DELETE FROM "subscriptions" WHERE "state" = 'removed' AND "removedAt" < ?`,
    /** `… IN (…)` lists: the stores add one placeholder per value. */
    markChangesDone: (count: number) =>
      `UPDATE "entity_changes" SET ${pending.done} WHERE "seq" IN (${placeholders(count)})`,
    completeDeliveries: (count: number) =>
      `DELETE FROM "notification_deliveries" WHERE "id" IN (${placeholders(count)})`,
    retryDeliveries: (count: number) =>
      `UPDATE "notification_deliveries" SET "nextAttemptAt" = ?, "leaseOwner" = NULL, "leaseUntil" = 0, "lastError" = ? WHERE "id" IN (${placeholders(count)})`,
    /** `count` notifications to send, many rows per statement. */
    insertDeliveries: (count: number) =>
      `INSERT INTO "notification_deliveries" ("subscriptionId", "kind", "payload", "attempts", "queuedAt", "nextAttemptAt", "leaseUntil") VALUES ${Array.from({ length: count }, () => '(?, ?, ?, 0, ?, ?, 0)').join(', ')}`,
    activeSubscriptions: (count: number) =>
      `SELECT * FROM "subscriptions" WHERE "state" = 'active' AND "partnerTenantId" IN (${placeholders(count)})`,
  };
}

export function subscriptionValues(record: SubscriptionRecord): unknown[] {
  return SUBSCRIPTION_COLUMNS.map((column) =>
    column === 'changeTypes' ? record.changeTypes.join(',') : record[column],
  );
}

export function changeValues(change: SubscriptionChange): unknown[] {
  return CHANGE_COLUMNS.map((column) => change[column] ?? null);
}

export function subscriptionFromRow(row: Record<string, unknown>): SubscriptionRecord {
  return {
    id: row.id as string,
    partnerTenantId: row.partnerTenantId as string,
    creatorId: (row.creatorId as string | null) ?? null,
    applicationId: (row.applicationId as string | null) ?? null,
    resource: row.resource as string,
    entitySet: row.entitySet as string,
    entityId: (row.entityId as string | null) ?? null,
    parentId: (row.parentId as string | null) ?? null,
    filter: (row.filter as string | null) ?? null,
    changeTypes: String(row.changeTypes).split(','),
    notificationUrl: row.notificationUrl as string,
    lifecycleNotificationUrl: (row.lifecycleNotificationUrl as string | null) ?? null,
    expirationDateTime: row.expirationDateTime as string,
    expiresAt: Number(row.expiresAt),
    clientState: (row.clientState as string | null) ?? null,
    latestSupportedTlsVersion: (row.latestSupportedTlsVersion as string | null) ?? null,
    state: row.state as SubscriptionRecord['state'],
    removedAt: row.removedAt === null || row.removedAt === undefined ? null : Number(row.removedAt),
    dropped: Number(row.dropped),
    createdDateTime: row.createdDateTime as string,
    lastModifiedDateTime: row.lastModifiedDateTime as string,
  };
}

export function changeFromRow(row: Record<string, unknown>): PendingChange {
  return {
    seq: Number(row.seq),
    entitySet: row.entitySet as string,
    partnerTenantId: row.partnerTenantId as string,
    entityId: row.entityId as string,
    parentId: (row.parentId as string | null) ?? null,
    changeType: row.changeType as PendingChange['changeType'],
    version: (row.version as string | null) ?? null,
  };
}

export function deliveryFromRow(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: Number(row.id),
    subscriptionId: row.subscriptionId as string,
    kind: row.kind as DeliveryRecord['kind'],
    payload: row.payload as string,
    attempts: Number(row.attempts),
    queuedAt: Number(row.queuedAt),
  };
}
