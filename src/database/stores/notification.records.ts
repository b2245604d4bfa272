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
