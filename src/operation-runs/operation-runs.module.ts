import { Module } from '@nestjs/common';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { AuditModule } from '../audit/audit.module';
import { GraphModule } from '../integrations/graph/graph.module';
import { TenantDirectoryModule } from '../tenant-directory/tenant-directory.module';
import { TenantGroupsModule } from '../tenant-groups/tenant-groups.module';
import { OperationRunsController } from './operation-runs.controller';
import { RunComparisonController } from './comparison/run-comparison.controller';
import { RunComparisonService } from './comparison/run-comparison.service';
import { RunTableController } from './run-table/run-table.controller';
import { RunTableService } from './run-table/run-table.service';
import { OperationRunsService } from './operation-runs.service';
import { RunWorker } from './run-worker';
import { RunningOperationRules } from './running-operation.rules';

/**
 * Running operations: the `run` and `cancel` actions, the rules of a running
 * operation's writes, and the engine that does the work, on the run queue of the database the
 * service runs on.
 */
@Module({
  imports: [
    EntityStoresModule,
    EntitySetsModule,
    AuditModule,
    GraphModule,
    TenantDirectoryModule,
    TenantGroupsModule,
  ],
  controllers: [OperationRunsController, RunComparisonController, RunTableController],
  providers: [
    RunWorker,
    OperationRunsService,
    RunningOperationRules,
    RunComparisonService,
    RunTableService,
  ],
  exports: [OperationRunsService, RunWorker],
})
export class OperationRunsModule {}
