import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { provideBy } from '../common/typed-token';
import { AppConfigService } from '../config/app-config.service';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { Dispatcher } from 'undici';
import { graphDispatcher, GraphClient } from '../integrations/graph/graph-client';
import { OperationRunsController } from './operation-runs.controller';
import { RunComparisonController } from './comparison/run-comparison.controller';
import { RunComparisonService } from './comparison/run-comparison.service';
import { OperationRunsService } from './operation-runs.service';
import { ENGINE_CONFIG, GRAPH_DISPATCHER } from './operation-runs.tokens';
import { RunWorker } from './run-worker';
import { RunningOperationRules } from './running-operation.rules';
import { TenantTokens } from '../integrations/graph/tenant-tokens';

/**
 * Running operations: the `run` and `cancel` actions, the rules of a running
 * operation's writes, and the engine that does the work, on the run queue of the database the
 * service runs on (chosen here, once).
 */
@Module({
  imports: [EntityStoresModule, EntitySetsModule],
  controllers: [OperationRunsController, RunComparisonController],
  providers: [
    provideBy(
      ENGINE_CONFIG,
      [AppConfigService],
      (config: AppConfigService) => config.values.engine,
    ),
    provideBy(GRAPH_DISPATCHER, [AppConfigService], (config: AppConfigService) =>
      graphDispatcher(config.values.engine),
    ),
    {
      provide: GraphClient,
      inject: [AppConfigService, GRAPH_DISPATCHER],
      useFactory: (config: AppConfigService, dispatcher: Dispatcher) =>
        new GraphClient(config.values.engine, dispatcher),
    },
    {
      provide: TenantTokens,
      inject: [AppConfigService, GRAPH_DISPATCHER],
      useFactory: (config: AppConfigService, dispatcher: Dispatcher) =>
        new TenantTokens(config.values.engine, dispatcher),
    },
    RunWorker,
    OperationRunsService,
    RunningOperationRules,
    RunComparisonService,
  ],
  exports: [OperationRunsService, RunWorker],
})
export class OperationRunsModule implements OnApplicationShutdown {
  constructor(@Inject(GRAPH_DISPATCHER) private readonly dispatcher: Dispatcher) {}

  /** After the worker gave its work back: the kept-alive connections to Graph close. */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }
}
