/**
 * Change notifications' storage: subscriptions, the outbox of changes not yet matched
 * against them (the change feed's `pending` rows, written with each change), and the
 * notifications waiting to be sent, claimed with leases so that instances sharing a database do
 * not send one twice in the normal case.
 */
export type SubscriptionState = 'active' | 'removed';

export interface SubscriptionRecord {
  readonly id: string;
  readonly partnerTenantId: string;
  readonly creatorId: string | null;
  readonly applicationId: string | null;
  readonly resource: string;
  /** What `resource` names: an entity set, and within it one entity or one principal's rows. */
  readonly entitySet: string;
  readonly entityId: string | null;
  readonly parentId: string | null;
  /** The `$filter` of `resource`, as written. */
  readonly filter: string | null;
  readonly changeTypes: readonly string[];
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | null;
  readonly expirationDateTime: string;
  readonly expiresAt: number;
  /** Encrypted (CredentialsCipher), bound to the subscription's id. */
  readonly clientState: string | null;
  readonly latestSupportedTlsVersion: string | null;
  readonly state: SubscriptionState;
  readonly removedAt: number | null;
  /** Notifications given up on (not acknowledged within the retry period). */
  readonly dropped: number;
  readonly createdDateTime: string;
  readonly lastModifiedDateTime: string;
}

/** What a renewal or a new URL changes. */
export type SubscriptionChange = Partial<
  Pick<
    SubscriptionRecord,
    | 'expirationDateTime'
    | 'expiresAt'
    | 'notificationUrl'
    | 'lifecycleNotificationUrl'
    | 'lastModifiedDateTime'
  >
>;

/** A change of the feed that no subscription has been matched against yet. */
export interface PendingChange {
  readonly seq: number;
  readonly entitySet: string;
  readonly partnerTenantId: string;
  readonly entityId: string;
  readonly parentId: string | null;
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly version: string | null;
}

export type DeliveryKind = 'change' | 'lifecycle';

export interface NewDelivery {
  readonly subscriptionId: string;
  readonly kind: DeliveryKind;
  /** One notification as JSON, without the clientState (added, decrypted, when it is sent). */
  readonly payload: string;
}

export interface DeliveryRecord extends NewDelivery {
  readonly id: number;
  /** How often it was claimed for sending, this time included. */
  readonly attempts: number;
  readonly queuedAt: number;
}

/** Where a page of subscriptions ends: the last one's creation time and id. */
export interface SubscriptionPosition {
  readonly createdDateTime: string;
  readonly id: string;
}

export abstract class NotificationStore {
  /** Whether one process sends everything (SQLite): then every lease at start is a dead one's. */
  abstract readonly singleProcess: boolean;
  /** Gives back every claimed notification (at the start of the one process that sends). */
  abstract releaseLeases(): Promise<void>;
  abstract insertSubscription(record: SubscriptionRecord): Promise<void>;
  abstract findSubscription(tenantId: string, id: string): Promise<SubscriptionRecord | undefined>;
  /** A subscription in any state, for sending what it has queued. */
  abstract subscriptionById(id: string): Promise<SubscriptionRecord | undefined>;
  /** A tenant's active subscriptions in creation order, after `after`, at most `limit`. */
  abstract listSubscriptions(
    tenantId: string,
    after: SubscriptionPosition | undefined,
    limit: number,
  ): Promise<SubscriptionRecord[]>;
  /** How many active subscriptions a tenant has. */
  abstract countSubscriptions(tenantId: string): Promise<number>;
  /** Applies `change` if the subscription is still at `version` (its lastModifiedDateTime). */
  abstract updateSubscription(
    tenantId: string,
    id: string,
    version: string,
    change: SubscriptionChange,
  ): Promise<boolean>;
  abstract deleteSubscription(tenantId: string, id: string): Promise<boolean>;

  /** The active subscriptions of these tenants. */
  abstract activeSubscriptions(tenantIds: readonly string[]): Promise<SubscriptionRecord[]>;

  /**
   * Marks done, without reading them, up to `limit` pending changes of tenants that have no
   * active subscription (they make no notification; a subscription is sent the changes made
   * after it was created). Returns how many.
   */
  abstract skipUnsubscribedChanges(limit: number): Promise<number>;

  /**
   * Takes up to `limit` pending changes, lets `match` say which notifications they make, and
   * queues those while marking the changes done, atomically: a crash in between leaves the
   * changes pending (matched again: a duplicate, never a loss). Returns how many it took.
   */
  abstract takePendingChanges(
    limit: number,
    now: number,
    match: (changes: readonly PendingChange[]) => Promise<NewDelivery[]>,
  ): Promise<number>;

  /** Subscriptions with notifications due and not claimed, oldest first. */
  abstract dueSubscriptions(now: number, limit: number): Promise<string[]>;
  /** Claims up to `limit` due notifications of a subscription until `leaseUntil`. */
  abstract claimDeliveries(
    subscriptionId: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<DeliveryRecord[]>;
  abstract completeDeliveries(ids: readonly number[]): Promise<void>;
  abstract retryDeliveries(
    ids: readonly number[],
    nextAttemptAt: number,
    error: string,
  ): Promise<void>;
  /** Gives up on notifications: they are counted as dropped, and `lifecycle` (if any) queued. */
  abstract dropDeliveries(
    subscriptionId: string,
    ids: readonly number[],
    now: number,
    lifecycle?: NewDelivery,
  ): Promise<void>;

  /**
   * Marks the active subscriptions that expired before `now` as removed, drops their change
   * notifications, and queues what `lifecycle` makes of each; returns them.
   */
  abstract expireSubscriptions(
    now: number,
    lifecycle: (subscription: SubscriptionRecord) => NewDelivery | undefined,
  ): Promise<SubscriptionRecord[]>;
  /** Deletes the subscriptions removed before `before` (their notifications go with them). */
  abstract purgeRemoved(before: number): Promise<number>;
}
