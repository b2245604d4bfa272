import { Module } from '@nestjs/common';
import { tenant } from '../edm/model';
import { DYNAMIC_PROPERTIES_COLUMN } from '../database/entity-schema';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { QueryChecker } from '../odata/query/query-checker';
import { GroupMembership } from './group-membership';
import { GroupTargets } from './group-targets';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { TenantGroupMembersController } from './tenant-group-members.controller';
import { TenantGroupMembers } from './tenant-group-members.service';
import { TenantGroupRules } from './tenant-group.rules';

/**
 * Groups of customer tenants (the `tenantGroups` set is one of the entity sets): the rules of a
 * group's membership, and the tenants a group holds now (`members`), which runs target.
 */
@Module({
  imports: [EntitySetsModule, EntityStoresModule],
  controllers: [TenantGroupMembersController],
  providers: [
    {
      provide: GroupMembership,
      useFactory: () =>
        new GroupMembership(
          new QueryChecker({ entity: tenant, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
        ),
    },
    TenantGroupRules,
    TenantGroupMembers,
    GroupTargets,
  ],
  exports: [GroupMembership, TenantGroupMembers, GroupTargets],
})
export class TenantGroupsModule {}
