import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { OutboundTelemetry } from './outbound-telemetry';
import { ServiceMetrics } from './service-metrics';
import { StorageTelemetry } from './storage-telemetry';
import { Tracing } from './tracing';

/**
 * Metrics and traces for every module that reports: what the HTTP layer, the engine, the notifications, the
 * schedules, the outbound calls and the database tell. `/metrics` is served on the API's port,
 * or on METRICS_PORT by a listener of its own.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(config: AppConfig): DynamicModule {
    const served = config.metrics.enabled;
    const ownPort = served && config.metrics.port !== undefined;
    return {
      module: ObservabilityModule,
      controllers: served && !ownPort ? [MetricsController] : [],
      providers: [
        ServiceMetrics,
        Tracing,
        OutboundTelemetry,
        StorageTelemetry,
        ...(ownPort ? [MetricsListener] : []),
      ],
      exports: [ServiceMetrics, Tracing, OutboundTelemetry, StorageTelemetry],
    };
  }
}
