import { Injectable } from '@nestjs/common';
import { tenantGroup } from '../edm/model';
import { EntitySetPolicy, EntitySetRules } from '../entity-sets/entity-set-rules';
import { GroupMembership } from './group-membership';

/** A group's membership rule must be a `$filter` the directory's tenants answer (a 400 if not). */
@Injectable()
@EntitySetRules(tenantGroup.entitySetName)
export class TenantGroupRules implements EntitySetPolicy {
  constructor(private readonly membership: GroupMembership) {}

  checkCreate(_caller: unknown, sent: Readonly<Record<string, unknown>>): void {
    this.checkRule(sent);
  }

  checkChange(_caller: unknown, _id: string, sent: Readonly<Record<string, unknown>>): void {
    this.checkRule(sent);
  }

  private checkRule(sent: Readonly<Record<string, unknown>>): void {
    if (typeof sent.membershipRule === 'string' && sent.membershipRule.trim() !== '') {
      this.membership.checkRule(sent.membershipRule);
    }
  }
}
