import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { GraphClient } from './graph-client';
import { OperationRunsController } from './operation-runs.controller';
import { OperationRunsService } from './operation-runs.service';
import { ENGINE_CONFIG } from './operation-runs.tokens';
import { RunWorker } from './run-worker';
import { TenantTokens } from './tenant-tokens';

/**
 * Running operations (issue 17): the `run` and `cancel` actions, the rules of a running
 * operation's writes, and the engine that does the work, on the run queue of the database the
 * service runs on (chosen here, once).
 */
@Module({
  imports: [EntityStoresModule, EntitySetsModule],
  controllers: [OperationRunsController],
  providers: [
    {
      provide: ENGINE_CONFIG,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        ...config.values.engine,
        shutdownTimeoutMs: config.values.shutdownTimeoutMs,
      }),
    },
    {
      provide: GraphClient,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => new GraphClient(config.values.engine),
    },
    {
      provide: TenantTokens,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => new TenantTokens(config.values.engine),
    },
    RunWorker,
    OperationRunsService,
  ],
})
export class OperationRunsModule {}
