import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { Logger } from 'pino';
import { AuthModule } from './auth/auth.module';
import { BatchModule } from './batch/batch.module';
import { AppConfig } from './config/app-config';
import { HealthModule } from './health/health.module';
import { ConfigModule } from './config/config.module';
import { CryptoModule } from './crypto/crypto.module';
import { DatabaseModule } from './database/database.module';
import { dataSourceOptions } from './database/data-source-options';
import { initializeDataSource } from './database/initialize-data-source';
import { MetadataModule } from './metadata/metadata.module';
import { EntitySetsModule } from './entity-sets/entity-sets.module';
import { OperationRunsModule } from './operation-runs/operation-runs.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TenantDirectoryModule } from './tenant-directory/tenant-directory.module';
import { TenantGroupsModule } from './tenant-groups/tenant-groups.module';
import { LiveApiModule } from './live-api/live-api.module';
import { ChangesModule } from './changes/changes.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { JobsModule } from './jobs/jobs.module';
import { Clock } from './jobs/clock';
import { ConsoleModule } from './console/console.module';
import { ObservabilityModule } from './observability/observability.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // Nest's own messages (start, routes, shutdown) go to the root pino logger. Code that logs
        // while handling a request uses the request's Fastify logger (`request.log`, which carries
        // its requestId), so nestjs-pino's per-request middleware is not mounted: through
        // @fastify/middie it cost about a third of a read by key (npm run bench -- --only b).
        LoggerModule.forRoot({ useExisting: true, pinoHttp: { logger }, forRoutes: [] }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 0 }),
          dataSourceFactory: (options) => initializeDataSource(options!),
        }),
        CryptoModule,
        AuthModule,
        DatabaseModule,
        JobsModule.forRoot(clock),
        ObservabilityModule.forRoot(config),
        EntitySetsModule,
        OperationRunsModule,
        SchedulesModule,
        TenantDirectoryModule,
        TenantGroupsModule,
        LiveApiModule,
        ChangesModule,
        SubscriptionsModule,
        MetadataModule,
        BatchModule,
        HealthModule,
        ConsoleModule.forRoot(config),
      ],
    };
  }
}
