import { ServiceMetrics } from '../observability/service-metrics';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';
import { NotificationsConfig } from '../config/app-config';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { EntityStoreRegistry } from '../database/stores/entity-store.registry';
import {
  DeliveryRecord,
  NewDelivery,
  NotificationStore,
  PendingChange,
  SubscriptionRecord,
} from '../database/stores/notification.store';
import { entityTagOf, RowConstraint } from '../edm/entity';
import { containerKeyOf, EntityType, keyValueOf } from '../edm/model';
import { entityTypeAnnotation } from '../edm/type-annotations';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';
import { CheckedExpression } from '../odata/query/checked-query';
import { parseSubscribedResource } from './subscription-resource';
import { WebhookClient } from '../integrations/webhooks/webhook-client';

/** Pending changes matched per step. */
const CHANGES_PER_STEP = 500;
/** Changes of unsubscribed tenants marked done in one statement (a few milliseconds of SQLite). */
const SKIPS_PER_STEP = 2_000;
/** How long a claimed notification is this instance's before another may send it. */
const LEASE_MS = 30_000;
/** The longest wait between two attempts of a notification. */
const MAX_RETRY_DELAY_MS = 3_600_000;
/** How often expired subscriptions are looked for. */
const EXPIRY_SWEEP_MS = 1_000;

/**
 * Sends change notifications. Each step:
 * 1. matches the outbox (the change feed's pending rows, written with every change) against the
 *    active subscriptions of the changes' tenants, and queues a notification per match, marking
 *    the changes done in the same transaction;
 * 2. sends what is due, a POST per subscription with up to NOTIFICATION_MAX_PER_POST
 *    notifications, NOTIFICATION_CONCURRENCY POSTs at once and one per subscription, so that a
 *    slow or dead receiver holds only its own; a receiver has NOTIFICATION_TIMEOUT_MS to answer
 *    2xx, else the notifications are tried again with exponential backoff (equal jitter) until
 *    NOTIFICATION_RETRY_HOURS have passed, then dropped, counted, and a `missed` lifecycle
 *    notification is sent;
 * 3. removes expired subscriptions (a `subscriptionRemoved` lifecycle notification) and deletes
 *    them after SUBSCRIPTION_GRACE_SECONDS.
 * Everything is in the database, so a kill -9 loses nothing: unmatched changes stay pending,
 * claimed notifications come back when their lease runs out (at least once, as on Graph).
 */
@Injectable()
@OnJob('changeNotifications')
export class NotificationDispatcher implements JobHandler {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private readonly config: NotificationsConfig;
  private readonly filters = new Map<string, CheckedExpression | undefined>();
  /** The subscriptions with a POST under way here: one at a time per subscription. */
  private readonly sending = new Set<string>();
  private lastSweep = 0;

  constructor(
    private readonly notifications: NotificationStore,
    private readonly webhooks: WebhookClient,
    private readonly cipher: CredentialsCipher,
    @Inject(AppConfigService) appConfig: AppConfigService,
    private readonly stores: EntityStoreRegistry,
    private readonly metrics: ServiceMetrics,
  ) {
    this.config = appConfig.values.changes.notifications;
  }

  settings(): JobSettings {
    return {
      enabled: this.config.enabled,
      pollMs: this.config.pollMs,
      maxPollMs: Math.max(this.config.pollMs, EXPIRY_SWEEP_MS * 5),
      concurrency: this.config.concurrency,
    };
  }

  async start(): Promise<void> {
    // On SQLite this process is the only sender: what a killed one had claimed is free at once.
    if (this.notifications.singleProcess) await this.notifications.releaseLeases();
  }

  async stop(): Promise<void> {
    await this.webhooks.close();
  }

  /**
   * One step: match the outbox, expire subscriptions, start the POSTs that are due. A failure (the
   * database away for a moment) is the kernel's to log; the next poll retries.
   */
  async step(job: JobContext): Promise<StepOutcome> {
    const now = job.clock.now();
    // Most writes are in tenants that subscribe to nothing: their changes are marked done in
    // bulk, unread, so that a write costs the dispatcher a row update rather than a fan-out.
    while (
      !job.stopping &&
      (await this.notifications.skipUnsubscribedChanges(SKIPS_PER_STEP)) === SKIPS_PER_STEP
    );
    while (
      !job.stopping &&
      (await this.notifications.takePendingChanges(CHANGES_PER_STEP, job.clock.now(), (changes) =>
        this.match(changes, job),
      )) === CHANGES_PER_STEP
    );
    if (now - this.lastSweep >= EXPIRY_SWEEP_MS) {
      this.lastSweep = now;
      await this.sweep(now);
    }
    await this.sendDue(job);
    return 'idle';
  }

  /** The notifications a batch of changes makes: one per change and matching subscription. */
  private async match(changes: readonly PendingChange[], job: JobContext): Promise<NewDelivery[]> {
    const tenants = [...new Set(changes.map((change) => change.partnerTenantId))];
    const subscriptions = await this.notifications.activeSubscriptions(tenants);
    if (subscriptions.length === 0) return [];
    const now = job.clock.now();
    const deliveries: NewDelivery[] = [];
    for (const change of changes) {
      for (const subscription of subscriptions) {
        if (subscription.expiresAt <= now) continue;
        if (!(await this.matches(subscription, change))) continue;
        deliveries.push({
          subscriptionId: subscription.id,
          kind: 'change',
          payload: JSON.stringify(this.notificationOf(subscription, change)),
        });
      }
    }
    return deliveries;
  }

  private async matches(subscription: SubscriptionRecord, change: PendingChange): Promise<boolean> {
    if (subscription.partnerTenantId !== change.partnerTenantId) return false;
    if (subscription.entitySet !== change.entitySet) return false;
    if (!subscription.changeTypes.includes(change.changeType)) return false;
    if (subscription.entityId !== null && subscription.entityId !== change.entityId) return false;
    if (subscription.parentId !== null && subscription.parentId !== change.parentId) return false;
    if (subscription.filter === null || change.changeType === 'deleted') return true;
    // A filter is matched against the entity as it is now (a deleted one cannot be: its
    // deletion is sent to every subscription of its resource).
    const filter = this.filterOf(subscription);
    const store = this.stores.bySetName(change.entitySet);
    if (!filter || !store) return false;
    const count = await store.count(
      { tenantId: change.partnerTenantId },
      { filter },
      keyConstraintOf(store.entity, change),
    );
    return count > 0;
  }

  private filterOf(subscription: SubscriptionRecord): CheckedExpression | undefined {
    if (!this.filters.has(subscription.id)) {
      if (this.filters.size > 10_000) this.filters.clear();
      this.filters.set(subscription.id, parseSubscribedResource(subscription.resource).filter);
    }
    return this.filters.get(subscription.id);
  }

  /** Microsoft Graph's changeNotification, without clientState (added when it is sent). */
  private notificationOf(
    subscription: SubscriptionRecord,
    change: PendingChange,
  ): Record<string, unknown> {
    const entity = this.stores.typeOf(change.entitySet);
    const path = entity ? resourcePathOf(entity, change) : `${change.entitySet}/${change.entityId}`;
    return {
      id: randomUUID(),
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      changeType: change.changeType,
      resource: path,
      tenantId: change.partnerTenantId,
      resourceData: {
        '@odata.type': entity ? entityTypeAnnotation(entity) : undefined,
        '@odata.id': path,
        ...(change.version
          ? { '@odata.etag': entityTagOf({ lastModifiedDateTime: change.version }) }
          : {}),
        ...(entity
          ? { [entity.key]: keyValueOf(entity, change.entityId) }
          : { id: change.entityId }),
      },
    };
  }

  private lifecycleOf(
    subscription: SubscriptionRecord,
    event: 'subscriptionRemoved' | 'missed',
  ): NewDelivery | undefined {
    if (!subscription.lifecycleNotificationUrl) return undefined;
    return {
      subscriptionId: subscription.id,
      kind: 'lifecycle',
      payload: JSON.stringify({
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        tenantId: subscription.partnerTenantId,
        lifecycleEvent: event,
      }),
    };
  }

  private async sweep(now: number): Promise<void> {
    const expired = await this.notifications.expireSubscriptions(now, (subscription) =>
      this.lifecycleOf(subscription, 'subscriptionRemoved'),
    );
    for (const subscription of expired) {
      this.logger.log(`Subscription ${subscription.id} expired and was removed`);
    }
    await this.notifications.purgeRemoved(now - this.config.expiredGraceMs);
  }

  /** Starts a POST for each subscription with notifications due, within the concurrency. */
  private async sendDue(job: JobContext): Promise<void> {
    if (job.freeSlots <= 0) return;
    const due = await this.notifications.dueSubscriptions(
      job.clock.now(),
      job.freeSlots + this.sending.size,
    );
    for (const subscriptionId of due) {
      if (job.freeSlots <= 0) break;
      if (this.sending.has(subscriptionId)) continue;
      this.sending.add(subscriptionId);
      const started = job.run(() =>
        this.sendFor(subscriptionId, job).finally(() => this.sending.delete(subscriptionId)),
      );
      if (!started) this.sending.delete(subscriptionId);
    }
  }

  /** Sends a subscription's due notifications, a POST at a time, while full POSTs are due. */
  private async sendFor(subscriptionId: string, job: JobContext): Promise<void> {
    while (
      !job.stopping &&
      (await this.sendBatchFor(subscriptionId, job)) >= this.config.maxPerPost
    );
  }

  /** One POST of a subscription's due notifications (and lifecycle events); how many it sent. */
  private async sendBatchFor(subscriptionId: string, job: JobContext): Promise<number> {
    const now = job.clock.now();
    const claimed = await this.notifications.claimDeliveries(
      subscriptionId,
      job.workerId,
      now,
      now + LEASE_MS,
      this.config.maxPerPost,
    );
    if (claimed.length === 0) return 0;
    job.report.claimed(claimed.length);
    job.report.lag(now - Math.min(...claimed.map((delivery) => delivery.queuedAt)));
    const subscription = await this.notifications.subscriptionById(subscriptionId);
    if (!subscription) {
      await this.notifications.completeDeliveries(claimed.map((d) => d.id));
      return 0;
    }
    const clientState = subscription.clientState
      ? this.cipher.decrypt(subscription.clientState, subscription.id)
      : null;
    let allSent = true;
    for (const kind of ['change', 'lifecycle'] as const) {
      const batch = claimed.filter((delivery) => delivery.kind === kind);
      if (batch.length === 0) continue;
      const url =
        kind === 'change' ? subscription.notificationUrl : subscription.lifecycleNotificationUrl;
      if (!url || (kind === 'change' && subscription.state !== 'active')) {
        await this.notifications.completeDeliveries(batch.map((d) => d.id));
        continue;
      }
      if (await this.post(subscription, new URL(url), batch, clientState, job)) {
        job.report.completed(batch.length);
      } else {
        allSent = false;
      }
    }
    return allSent ? claimed.length : 0;
  }

  private async post(
    subscription: SubscriptionRecord,
    url: URL,
    batch: readonly DeliveryRecord[],
    clientState: string | null,
    job: JobContext,
  ): Promise<boolean> {
    const body = JSON.stringify({
      value: batch.map((delivery) => ({
        ...(JSON.parse(delivery.payload) as Record<string, unknown>),
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        clientState,
      })),
    });
    const answer = await this.webhooks.post(url, body, 'application/json', this.config.timeoutMs);
    const ids = batch.map((delivery) => delivery.id);
    if (answer.kind === 'answered' && answer.status >= 200 && answer.status < 300) {
      await this.notifications.completeDeliveries(ids);
      const delivered = job.clock.now();
      this.metrics.notificationsDelivered(
        batch.length,
        batch.map((delivery) => delivered - delivery.queuedAt),
      );
      return true;
    }
    const reason = answer.kind === 'failed' ? answer.reason : `answered ${answer.status}`;
    const now = job.clock.now();
    const expired = batch.filter((delivery) => now - delivery.queuedAt >= this.config.retryMs);
    const retried = batch.filter((delivery) => now - delivery.queuedAt < this.config.retryMs);
    if (expired.length > 0) {
      this.logger.warn(
        `Dropped ${expired.length} notifications of subscription ${subscription.id} to ${url.host}: ${reason} for longer than the retry period`,
      );
      const missed =
        batch[0].kind === 'change' ? this.lifecycleOf(subscription, 'missed') : undefined;
      this.metrics.notificationsDropped(expired.length);
      await this.notifications.dropDeliveries(
        subscription.id,
        expired.map((delivery) => delivery.id),
        now,
        missed,
      );
    }
    if (retried.length > 0) {
      const attempts = Math.max(...retried.map((delivery) => delivery.attempts));
      const backoff = Math.min(this.config.retryBaseMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
      const delay = Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      this.logger.warn(
        `Notifications of subscription ${subscription.id} to ${url.host} failed (${reason}); attempt ${attempts + 1} in ${Math.round(delay)} ms`,
      );
      this.metrics.notificationsRetried(retried.length);
      await this.notifications.retryDeliveries(
        retried.map((delivery) => delivery.id),
        now + delay,
        reason.slice(0, 1_000),
      );
    }
    return false;
  }
}

/** The changed entity as a row constraint: its key, and a contained one's container key. */
function keyConstraintOf(entity: EntityType, change: PendingChange): RowConstraint {
  const container = containerKeyOf(entity);
  return container && change.parentId !== null
    ? { [entity.key]: change.entityId, [container]: change.parentId }
    : { [entity.key]: change.entityId };
}

/**
 * The changed entity's path from the service root: `{set}/{id}`, or for a contained one its
 * container's navigation (`managedTenantOperations/{id}/runs/{runNumber}`).
 */
function resourcePathOf(entity: EntityType, change: PendingChange): string {
  const toContainer = entity.containedBy
    ? entity.navigationProperties[entity.containedBy]
    : undefined;
  if (!toContainer?.partner || change.parentId === null) {
    return `${entity.entitySetName}/${change.entityId}`;
  }
  return `${toContainer.target().entitySetName}/${change.parentId}/${toContainer.partner}/${change.entityId}`;
}
