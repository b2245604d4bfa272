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
import { ManagedTenantOperationsModule } from './managed-tenant-operations/managed-tenant-operations.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // The request's own Fastify logger (which carries its requestId) serves Nest's Logger calls
        // made while handling that request; outside a request, the root logger does.
        LoggerModule.forRoot({ useExisting: true, pinoHttp: { logger } }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 0 }),
          dataSourceFactory: (options) => initializeDataSource(options!),
        }),
        CryptoModule,
        AuthModule,
        DatabaseModule,
        ManagedTenantOperationsModule,
        MetadataModule,
        BatchModule,
        HealthModule,
      ],
    };
  }
}
