import { randomBytes, randomUUID } from 'node:crypto';
import { Caller } from '../auth/caller';
import {
  InvalidRequestError,
  ItemNotFoundError,
  PreconditionFailedError,
  StateConflictError,
} from '../common/errors';
import { NotificationsConfig } from '../config/app-config';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import {
  NotificationStore,
  SubscriptionChange,
  SubscriptionPosition,
  SubscriptionRecord,
} from '../database/stores/notification.store';
import { Entity } from '../edm/entity';
import { EntityWrite } from '../edm/entity-write';
import { laterTimestamp, parseDateTimeOffset, toUtcDateTimeOffset } from '../edm/primitive-formats';
import { EntitySetRegistry } from '../entity-sets/entity-set.registry';
import { NotificationUrlPolicy } from '../integrations/webhooks/notification-urls';
import { parseSubscribedResource } from './subscription-resource';
import { WebhookClient } from '../integrations/webhooks/webhook-client';
import { AuditTrail } from '../audit/audit-trail';
import { AtomicWork } from '../database/atomic-work';
import { subscription } from '../edm/model';

const SUBSCRIPTIONS = subscription.entitySetName;

/** Microsoft Graph's limit for most resources: 4,230 minutes (under three days). */
export const MAX_SUBSCRIPTION_MINUTES = 4_230;
const CHANGE_TYPES = ['created', 'updated', 'deleted'] as const;
const TLS_VERSIONS = ['v1_0', 'v1_1', 'v1_2', 'v1_3'];
/** How long a receiver has to answer the validation request. */
const VALIDATION_TIMEOUT_MS = 10_000;
/** Subscriptions in one page of the list. */
export const SUBSCRIPTIONS_PER_PAGE = 100;
/** What PATCH may change: a renewal, or new URLs (validated again). */
const CHANGEABLE = new Set(['expirationDateTime', 'notificationUrl', 'lifecycleNotificationUrl']);

/**
 * Subscriptions as Microsoft Graph has them: a caller sees and changes
 * only its own tenant's; a subscription delivers changes of its creator's tenant only. Creating
 * one, or changing where it sends, first validates the URL: the receiver must echo a
 * `validationToken` as text/plain within 10 seconds.
 */
export class SubscriptionsService {
  constructor(
    private readonly store: NotificationStore,
    private readonly cipher: CredentialsCipher,
    private readonly policy: NotificationUrlPolicy,
    private readonly webhooks: WebhookClient,
    private readonly entitySets: EntitySetRegistry,
    private readonly config: NotificationsConfig,
    private readonly audit: AuditTrail,
    private readonly atomicWork: AtomicWork,
  ) {}

  /** Writes a subscription and its audit event together (one unit of work). */
  private async audited<T>(
    caller: Caller,
    kind: 'create' | 'update' | 'delete',
    body: unknown,
    write: () => Promise<T>,
    done: (result: T) => boolean = () => true,
  ): Promise<T> {
    const event = await this.audit.prepare(caller, {
      partnerTenantId: caller.tenantId,
      activity: `${SUBSCRIPTIONS}.${kind}`,
      category: SUBSCRIPTIONS,
      body,
      bodyType: subscription,
    });
    return this.atomicWork.run(async () => {
      const result = await write();
      if (done(result)) await event.write();
      return { result, commit: true };
    });
  }

  async create(caller: Caller, write: EntityWrite): Promise<Entity> {
    const sent = write.declared as Record<string, string | null | undefined>;
    // Each subscription costs every change in the tenant a match and a POST: bounded per tenant.
    if ((await this.store.countSubscriptions(caller.tenantId)) >= this.config.maxPerTenant) {
      throw new StateConflictError(
        'subscriptionLimitReached',
        `Your tenant has ${this.config.maxPerTenant} subscriptions, the most it may have (SUBSCRIPTION_MAX_PER_TENANT): delete one, or let one expire, before you create another.`,
      );
    }
    const resource = parseSubscribedResource(sent.resource!);
    const principal =
      resource.parent ??
      (resource.entityId ? { entity: resource.entity, id: resource.entityId } : undefined);
    if (
      principal &&
      !(await this.entitySets.serviceOf(principal.entity).exists(caller, principal.id))
    ) {
      throw new InvalidRequestError(
        `The resource '${sent.resource}' names no ${principal.entity.name} of your tenant.`,
      );
    }
    const changeTypes = parseChangeTypes(sent.changeType!);
    const expiration = parseExpiration(sent.expirationDateTime!);
    const tls = sent.latestSupportedTlsVersion ?? 'v1_2';
    if (!TLS_VERSIONS.includes(tls)) {
      throw new InvalidRequestError(
        `latestSupportedTlsVersion must be one of ${TLS_VERSIONS.join(', ')}, not '${tls}'.`,
      );
    }
    // Both URLs are checked before either receiver is called.
    const notificationTarget = await this.policy.check(sent.notificationUrl!, 'notificationUrl');
    const lifecycleTarget = sent.lifecycleNotificationUrl
      ? await this.policy.check(sent.lifecycleNotificationUrl, 'lifecycleNotificationUrl')
      : undefined;
    const notificationUrl = await this.validated(notificationTarget, 'notificationUrl');
    const lifecycleNotificationUrl = lifecycleTarget
      ? await this.validated(lifecycleTarget, 'lifecycleNotificationUrl')
      : null;
    const id = randomUUID();
    const now = toUtcDateTimeOffset(new Date());
    const record: SubscriptionRecord = {
      id,
      partnerTenantId: caller.tenantId,
      creatorId: caller.userId || null,
      applicationId: caller.applicationId ?? null,
      resource: sent.resource!,
      entitySet: resource.entity.entitySetName,
      entityId: resource.entityId ?? null,
      parentId: resource.parent?.id ?? null,
      filter: resource.filterText ?? null,
      changeTypes,
      notificationUrl,
      lifecycleNotificationUrl,
      expirationDateTime: toUtcDateTimeOffset(expiration),
      expiresAt: expiration.getTime(),
      clientState: sent.clientState ? this.cipher.encrypt(sent.clientState, id) : null,
      latestSupportedTlsVersion: tls,
      state: 'active',
      removedAt: null,
      dropped: 0,
      createdDateTime: now,
      lastModifiedDateTime: now,
    };
    await this.audited(caller, 'create', write.declared, () =>
      this.store.insertSubscription(record),
    );
    return entityOf(record);
  }

  async get(caller: Caller, id: string): Promise<Entity> {
    return entityOf(await this.find(caller, id));
  }

  /**
   * A page of the caller's subscriptions, in the order they were created, from `skipToken` on;
   * `next` is the token of the page after it, if there is one.
   */
  async list(caller: Caller, skipToken?: string): Promise<{ entities: Entity[]; next?: string }> {
    const after = skipToken === undefined ? undefined : positionOf(skipToken);
    const records = await this.store.listSubscriptions(
      caller.tenantId,
      after,
      SUBSCRIPTIONS_PER_PAGE + 1,
    );
    const entities = records.slice(0, SUBSCRIPTIONS_PER_PAGE).map(entityOf);
    if (records.length <= SUBSCRIPTIONS_PER_PAGE) return { entities };
    const last = records[SUBSCRIPTIONS_PER_PAGE - 1];
    return {
      entities,
      next: Buffer.from(JSON.stringify([last.createdDateTime, last.id])).toString('base64url'),
    };
  }

  /** A renewal (`expirationDateTime`) or new URLs; nothing else of a subscription changes. */
  async update(caller: Caller, id: string, write: EntityWrite): Promise<Entity> {
    const sent = write.declared as Record<string, string | null | undefined>;
    const refused = [
      ...(write.computed ?? []),
      ...Object.keys(sent).filter((name) => !CHANGEABLE.has(name)),
    ];
    if (refused.length > 0) {
      throw new InvalidRequestError(
        `A subscription's ${refused.join(', ')} cannot be changed (only ${[...CHANGEABLE].join(', ')}); delete it and create another.`,
      );
    }
    const current = await this.find(caller, id);
    const change: { -readonly [K in keyof SubscriptionChange]: SubscriptionChange[K] } = {};
    if (sent.expirationDateTime !== undefined) {
      if (sent.expirationDateTime === null) {
        throw new InvalidRequestError('expirationDateTime cannot be null.');
      }
      const expiration = parseExpiration(sent.expirationDateTime);
      change.expirationDateTime = toUtcDateTimeOffset(expiration);
      change.expiresAt = expiration.getTime();
    }
    if (sent.notificationUrl !== undefined && sent.notificationUrl !== current.notificationUrl) {
      if (sent.notificationUrl === null)
        throw new InvalidRequestError('notificationUrl cannot be null.');
      change.notificationUrl = await this.validated(
        await this.policy.check(sent.notificationUrl, 'notificationUrl'),
        'notificationUrl',
      );
    }
    if (
      sent.lifecycleNotificationUrl &&
      sent.lifecycleNotificationUrl !== current.lifecycleNotificationUrl
    ) {
      change.lifecycleNotificationUrl = await this.validated(
        await this.policy.check(sent.lifecycleNotificationUrl, 'lifecycleNotificationUrl'),
        'lifecycleNotificationUrl',
      );
    }
    change.lastModifiedDateTime = laterTimestamp(current.lastModifiedDateTime);
    const updated = await this.audited(
      caller,
      'update',
      write.declared,
      () =>
        this.store.updateSubscription(caller.tenantId, id, current.lastModifiedDateTime, change),
      Boolean,
    );
    if (!updated) {
      throw new PreconditionFailedError(
        `The subscription '${id}' was changed by another request at the same time; read it again and retry.`,
      );
    }
    return entityOf({ ...current, ...change } as SubscriptionRecord);
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const deleted = await this.audited(
      caller,
      'delete',
      undefined,
      () => this.store.deleteSubscription(caller.tenantId, id),
      Boolean,
    );
    if (!deleted) {
      throw new ItemNotFoundError('subscriptions', id);
    }
  }

  private async find(caller: Caller, id: string): Promise<SubscriptionRecord> {
    const found = await this.store.findSubscription(caller.tenantId, id.toLowerCase());
    if (!found) throw new ItemNotFoundError('subscriptions', id);
    return found;
  }

  /**
   * The URL, once its receiver proved it wants notifications (Graph's validation request): a
   * POST with `?validationToken=…`, answered within 10 seconds by 200, text/plain, the token.
   */
  private async validated(url: URL, property: string): Promise<string> {
    const token = `Validation: ${randomBytes(18).toString('base64url')}`;
    const target = new URL(url.href);
    target.searchParams.set('validationToken', token);
    const answer = await this.webhooks.post(
      target,
      '',
      'text/plain; charset=utf-8',
      VALIDATION_TIMEOUT_MS,
    );
    const refuse = (what: string) =>
      new InvalidRequestError(
        `Subscription validation request failed: the ${property} ${what}; it must answer 200 with the validationToken as text/plain within ${VALIDATION_TIMEOUT_MS / 1000} seconds.`,
      );
    if (answer.kind === 'failed') throw refuse(`could not be reached (${answer.reason})`);
    if (answer.status !== 200) throw refuse(`answered ${answer.status}`);
    if (!/^text\/plain\b/i.test(answer.contentType)) {
      throw refuse(`answered with Content-Type '${answer.contentType || 'none'}'`);
    }
    if (answer.body !== token) throw refuse('answered 200, but not with the validationToken');
    return url.href;
  }
}

function parseChangeTypes(text: string): string[] {
  const types = text.split(',').map((type) => type.trim());
  const unknown = types.filter((type) => !(CHANGE_TYPES as readonly string[]).includes(type));
  if (types.length === 0 || unknown.length > 0) {
    throw new InvalidRequestError(
      `changeType must list ${CHANGE_TYPES.join(', ')} (comma-separated), not '${text}'.`,
    );
  }
  if (new Set(types).size !== types.length) {
    throw new InvalidRequestError(`changeType lists a change type twice: '${text}'.`);
  }
  return types;
}

function parseExpiration(text: string): Date {
  const expiration = parseDateTimeOffset(text);
  if (!expiration)
    throw new InvalidRequestError(`expirationDateTime '${text}' is not a date and time.`);
  const now = Date.now();
  if (expiration.getTime() <= now) {
    throw new InvalidRequestError('expirationDateTime must be in the future.');
  }
  if (expiration.getTime() > now + MAX_SUBSCRIPTION_MINUTES * 60_000) {
    throw new InvalidRequestError(
      `expirationDateTime must be at most ${MAX_SUBSCRIPTION_MINUTES} minutes from now; renew the subscription (PATCH) before it expires.`,
    );
  }
  return expiration;
}

/** A subscription as the model's representation shows it (clientState never). */
export function entityOf(record: SubscriptionRecord): Entity {
  return {
    id: record.id,
    createdDateTime: record.createdDateTime,
    lastModifiedDateTime: record.lastModifiedDateTime,
    properties: {
      resource: record.resource,
      changeType: record.changeTypes.join(','),
      notificationUrl: record.notificationUrl,
      lifecycleNotificationUrl: record.lifecycleNotificationUrl,
      expirationDateTime: record.expirationDateTime,
      latestSupportedTlsVersion: record.latestSupportedTlsVersion,
      creatorId: record.creatorId,
      applicationId: record.applicationId,
    },
    dynamicProperties: {},
  };
}

/** The position a `$skiptoken` of the subscriptions list holds. */
function positionOf(token: string): SubscriptionPosition {
  try {
    const [createdDateTime, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof createdDateTime === 'string' && typeof id === 'string')
      return { createdDateTime, id };
  } catch {
    // Not one of ours: said below.
  }
  throw new InvalidRequestError(
    `The $skiptoken '${token.slice(0, 100)}' is not one this service gave; follow @odata.nextLink as it is.`,
  );
}
