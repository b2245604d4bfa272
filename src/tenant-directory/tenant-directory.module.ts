import { Module } from '@nestjs/common';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { AuditModule } from '../audit/audit.module';
import { GraphModule } from '../integrations/graph/graph.module';
import { DirectoryRefresher } from './directory-refresher';
import { TenantDirectoryController } from './tenant-directory.controller';
import { TenantDirectory } from './tenant-directory.service';

/**
 * The partners' directories of customer tenants (the `tenants` set is one of the entity sets):
 * the `refresh` action, the job that refreshes directories, and the listing runs share.
 */
@Module({
  imports: [EntityStoresModule, EntitySetsModule, AuditModule, GraphModule],
  controllers: [TenantDirectoryController],
  providers: [TenantDirectory, DirectoryRefresher],
  exports: [TenantDirectory],
})
export class TenantDirectoryModule {}
