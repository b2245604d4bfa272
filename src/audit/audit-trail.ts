import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { redactSecrets, REDACTED } from '../common/redaction';
import { AuditLogStore, AuditRecord } from '../database/stores/audit-log.store';
import { CompanionWrite, EntityStore } from '../database/stores/entity.store';
import { EntityType, LONG_TEXT, tenant, TenantProperties } from '../edm/model';
import { mapSecretValues } from '../edm/secrets';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { CLOCK, Clock } from '../jobs/clock';
import { EntityStoreRegistry } from '../database/stores/entity-store.registry';

/** What an event says besides who did it and from where. */
export interface AuditActivity {
  readonly partnerTenantId: string;
  /** `{set}.create`, `managedTenantOperations.run`, … */
  readonly activity: string;
  /** The entity set it touched. */
  readonly category: string;
  /** The request's body, as sent (secrets are redacted here). */
  readonly body?: unknown;
  /** The entity type whose secret properties the body may hold. */
  readonly bodyType?: EntityType;
  /** The customer tenants it concerns. */
  readonly tenantIds?: readonly string[];
}

/** Names looked up in the directory for one event at most. */
const MAX_NAMED_TENANTS = 200;

/**
 * The partner's audit log, as the features write it: an event of what a caller did (or a job,
 * with no caller), its body with every secret redacted (the model's secret properties, then
 * anything shaped like a token), the tenants it concerns with their names in the directory.
 * `companion` writes it in the transaction of the write it records; `prepare` in a unit of
 * work.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly store: AuditLogStore,
    private readonly stores: EntityStoreRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The event, to be written with the write it records (on its session). */
  async companion(caller: Caller | undefined, activity: AuditActivity): Promise<CompanionWrite> {
    const event = await this.eventOf(caller, activity);
    return (session) => this.store.record(event, session);
  }

  /**
   * The event, to be written later: `write()` inside a unit of work writes it in the unit's
   * transaction.
   */
  async prepare(
    caller: Caller | undefined,
    activity: AuditActivity,
  ): Promise<{ write(): Promise<void> }> {
    const event = await this.eventOf(caller, activity);
    return { write: () => this.store.record(event) };
  }

  private async eventOf(caller: Caller | undefined, activity: AuditActivity): Promise<AuditRecord> {
    const ids = [...new Set(activity.tenantIds ?? [])];
    const names = await this.namesOf(activity.partnerTenantId, ids);
    return {
      partnerTenantId: activity.partnerTenantId,
      activity: activity.activity,
      activityDateTime: toUtcDateTimeOffset(new Date(this.clock.now())),
      category: activity.category,
      activityId: caller?.origin?.activityId ?? null,
      httpVerb: caller?.origin?.httpVerb ?? null,
      initiatedByAppId: caller?.applicationId ?? null,
      initiatedByUpn: caller?.userPrincipalName ?? null,
      initiatedByUserId: caller?.userId || null,
      ipAddress: caller?.origin?.ipAddress ?? null,
      requestBody:
        activity.body === undefined ? null : redactedBody(activity.body, activity.bodyType),
      requestUrl: caller?.origin?.requestUrl.slice(0, 4_096) ?? null,
      tenantIds: listOf(ids),
      tenantNames: listOf(ids.map((id) => names.get(id) ?? '').filter(Boolean)),
    };
  }

  private async namesOf(
    partnerTenantId: string,
    ids: readonly string[],
  ): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const tenants = this.stores.bySetName(tenant.entitySetName) as EntityStore<TenantProperties>;
    const found = await tenants.findByIds(
      { tenantId: partnerTenantId },
      ids.slice(0, MAX_NAMED_TENANTS),
    );
    return new Map(found.map((entry) => [entry.id, entry.properties.displayName ?? '']));
  }
}

/** The body as JSON text, the model's secrets and anything shaped like a token redacted. */
function redactedBody(body: unknown, type: EntityType | undefined): string {
  let kept = body;
  if (type && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    kept = Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([name, value]) => {
        const property = type.properties[name];
        return [name, property ? mapSecretValues(property, value, () => REDACTED) : value];
      }),
    );
  }
  return cut(redactSecrets(JSON.stringify(kept) ?? 'null', []));
}

/** A comma-separated list, cut to what the column holds. */
function listOf(values: readonly string[]): string | null {
  return values.length === 0 ? null : cut(values.join(','));
}

function cut(text: string): string {
  return text.length <= LONG_TEXT ? text : `${text.slice(0, LONG_TEXT - 1)}…`;
}
