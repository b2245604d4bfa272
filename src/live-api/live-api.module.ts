import { Module } from '@nestjs/common';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { OperationRunsModule } from '../operation-runs/operation-runs.module';
import { LiveOperationsController } from './live-operations.controller';
import { LiveOperations } from './live-operations.service';

/**
 * The live service's request shape, under `/beta/tenantRelationships/managedTenants/`: the
 * entity sets are served there too (entity-set.controller.ts), and operations take the live
 * field names and run at once.
 */
@Module({
  imports: [EntitySetsModule, OperationRunsModule],
  controllers: [LiveOperationsController],
  providers: [LiveOperations],
})
export class LiveApiModule {}
