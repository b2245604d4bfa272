import { Caller } from '../auth/caller';
import { ForbiddenError } from '../common/errors';
import { EntityType, OWNER_PROPERTIES } from '../edm/model';

/**
 * The customer tenants a write concerns: a directory entry's own, a record's target tenant, an
 * operation's or a group's named tenants.
 */
export function tenantIdsOf(
  entity: EntityType,
  id: string,
  properties: Readonly<Record<string, unknown>>,
): string[] {
  if (entity.keyScope === 'partner') return [id];
  const named = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  if (typeof properties.targetTenantId === 'string') return [properties.targetTenantId];
  const target = properties.target as { tenantIds?: unknown } | null | undefined;
  return [...named(target?.tenantIds), ...named(properties.tenantIds)];
}

/**
 * A caller records entities for its own partner tenant, as itself: partnerTenantId must be its
 * `tid` and partnerUserId its `oid`, on create and when an update sends them.
 */
export function requireOwnTenantAndUser(caller: Caller, properties: Record<string, unknown>): void {
  const partnerTenantId = properties[OWNER_PROPERTIES.tenant];
  const partnerUserId = properties[OWNER_PROPERTIES.user];
  if (partnerTenantId !== undefined && partnerTenantId !== caller.tenantId) {
    throw new ForbiddenError(
      `partnerTenantId must be the caller's own tenant (${caller.tenantId}), not '${String(partnerTenantId)}'.`,
    );
  }
  if (partnerUserId !== undefined && partnerUserId !== caller.userId) {
    throw new ForbiddenError(
      `partnerUserId must be the caller's own user id (${caller.userId}), not '${String(partnerUserId)}'.`,
    );
  }
}
