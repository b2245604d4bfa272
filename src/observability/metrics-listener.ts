import {
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ODataExceptionFilter } from '../common/odata-exception.filter';
import { AppConfigService } from '../config/app-config.service';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';

/**
 * `/metrics` on METRICS_PORT: a second, small Nest application (the same controller, filter and
 * metrics), so that the scrape endpoint can stay inside a network the API's port is not.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private app?: NestFastifyApplication;

  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    @Module({
      controllers: [MetricsController],
      providers: [
        { provide: ServiceMetrics, useValue: this.metrics },
        { provide: AppConfigService, useValue: this.config },
      ],
    })
    class MetricsEndpointModule {}

    const app = await NestFactory.create<NestFastifyApplication>(
      MetricsEndpointModule,
      new FastifyAdapter(),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    app.useGlobalFilters(new ODataExceptionFilter(app.getHttpAdapter().getInstance()));
    await app.listen(this.config.values.metrics.port!, this.config.values.host);
    this.app = app;
  }

  /** The port it listens on (METRICS_PORT, or the one given for 0). */
  address(): string | undefined {
    const server = this.app?.getHttpServer() as { address(): { port: number } | null } | undefined;
    const address = server?.address();
    return address ? `http://${this.config.values.host}:${address.port}/metrics` : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.app?.close();
  }
}
