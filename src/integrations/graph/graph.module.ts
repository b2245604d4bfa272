import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Dispatcher } from 'undici';
import { provideBy } from '../../common/typed-token';
import { AppConfigService } from '../../config/app-config.service';
import { EngineConfig } from '../../config/app-config';
import { graphDispatcher, GraphClient } from './graph-client';
import { ENGINE_CONFIG, GRAPH_DISPATCHER } from './graph.tokens';
import { PartnerCustomers } from './partner-customers';
import { TenantTokens } from './tenant-tokens';
import { OutboundTelemetry } from '../../observability/outbound-telemetry';

/**
 * Microsoft Graph and the identity platform's token endpoint, as the features that call them
 * share them: one connection pool, one token cache, the partner's customers.
 */
@Module({
  providers: [
    provideBy(
      ENGINE_CONFIG,
      [AppConfigService],
      (config: AppConfigService) => config.values.engine,
    ),
    provideBy(GRAPH_DISPATCHER, [ENGINE_CONFIG], (config: EngineConfig) => graphDispatcher(config)),
    {
      provide: GraphClient,
      inject: [ENGINE_CONFIG, GRAPH_DISPATCHER, OutboundTelemetry],
      useFactory: (config: EngineConfig, dispatcher: Dispatcher, telemetry: OutboundTelemetry) =>
        new GraphClient(config, dispatcher, telemetry),
    },
    {
      provide: TenantTokens,
      inject: [ENGINE_CONFIG, GRAPH_DISPATCHER, OutboundTelemetry],
      useFactory: (config: EngineConfig, dispatcher: Dispatcher, telemetry: OutboundTelemetry) =>
        new TenantTokens(config, dispatcher, telemetry),
    },
    {
      provide: PartnerCustomers,
      inject: [ENGINE_CONFIG, GraphClient, TenantTokens],
      useFactory: (config: EngineConfig, graph: GraphClient, tokens: TenantTokens) =>
        new PartnerCustomers(graph, tokens, config.client?.secret ? [config.client.secret] : []),
    },
  ],
  exports: [ENGINE_CONFIG, GraphClient, TenantTokens, PartnerCustomers],
})
export class GraphModule implements OnApplicationShutdown {
  constructor(@Inject(GRAPH_DISPATCHER) private readonly dispatcher: Dispatcher) {}

  /** After the engine gave its work back: the kept-alive connections to Graph close. */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }
}
