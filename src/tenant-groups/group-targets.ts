import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError } from '../common/errors';
import { EntityStore } from '../database/stores/entity.store';
import {
  managedTenantOperation,
  tenant,
  tenantGroup,
  TenantGroupProperties,
  TenantProperties,
} from '../edm/model';
import { EntitySetPolicy, EntitySetRules } from '../entity-sets/entity-set-rules';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { GroupMembership } from './group-membership';

/** What the groups of a run's target hold when it starts. */
export type ResolvedGroups =
  | {
      readonly found: true;
      /** A group holds every customer (allTenantsIncluded): the run lists the contracts. */
      readonly everyone: boolean;
      /** The tenants the groups name or select, each once. */
      readonly tenantIds: readonly string[];
    }
  /** Groups the target names that no longer exist. */
  | { readonly found: false; readonly missing: readonly string[] };

/** Tenants a rule's page of the directory holds at most. */
const MEMBERS_PAGE = 500;

/**
 * The groups of operations' targets: `target.tenantGroupIds` must name groups of the partner
 * (a 400 on create and on a change that sends it), and a run takes what they hold when it
 * starts.
 */
@Injectable()
@EntitySetRules(managedTenantOperation.entitySetName)
export class GroupTargets implements EntitySetPolicy {
  constructor(
    @Inject(entityStoreToken(tenantGroup))
    private readonly groups: EntityStore<TenantGroupProperties>,
    @Inject(entityStoreToken(tenant)) private readonly tenants: EntityStore<TenantProperties>,
    private readonly membership: GroupMembership,
  ) {}

  async checkCreate(
    caller: { tenantId: string },
    sent: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await this.requireGroups(caller.tenantId, sent);
  }

  async checkChange(
    caller: { tenantId: string },
    _id: string,
    sent: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await this.requireGroups(caller.tenantId, sent);
  }

  /** The members of the groups, as they are now. */
  async resolve(partnerTenantId: string, groupIds: readonly string[]): Promise<ResolvedGroups> {
    const scope = { tenantId: partnerTenantId };
    const wanted = [...new Set(groupIds.map((id) => id.toLowerCase()))];
    const groups = await this.groups.findByIds(scope, wanted);
    const missing = wanted.filter((id) => !groups.some((group) => group.id === id));
    if (missing.length > 0) return { found: false, missing };
    const tenantIds = new Set<string>();
    let everyone = false;
    for (const group of groups) {
      const membership = this.membership.of(group.properties);
      if (membership.kind === 'everyone') everyone = true;
      if (membership.kind !== 'filter') continue;
      for (const id of group.properties.tenantIds ?? []) tenantIds.add(id);
      if (!group.properties.membershipRule) continue;
      const query = {
        filter: this.membership.checkRule(group.properties.membershipRule),
        orderBy: this.membership.order(),
      };
      let after: readonly unknown[] | undefined;
      for (;;) {
        const rows = await this.tenants.findPage(scope, query, after, MEMBERS_PAGE);
        for (const row of rows) tenantIds.add(row.entity.id);
        if (rows.length < MEMBERS_PAGE) break;
        after = rows[rows.length - 1].position;
      }
    }
    return { found: true, everyone, tenantIds: [...tenantIds] };
  }

  private async requireGroups(
    partnerTenantId: string,
    sent: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const target = sent.target as { tenantGroupIds?: readonly string[] | null } | undefined | null;
    const ids = target?.tenantGroupIds ?? [];
    if (ids.length === 0) return;
    const found = await this.groups.findByIds({ tenantId: partnerTenantId }, [...new Set(ids)]);
    const missing = ids.find((id) => !found.some((group) => group.id === id));
    if (missing !== undefined) {
      throw new InvalidRequestError(
        `target.tenantGroupIds names '${missing}', which is no tenantGroup of partner tenant '${partnerTenantId}'.`,
      );
    }
  }
}
