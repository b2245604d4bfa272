import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { AppConfigService } from './app-config.service';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfigService, useValue: new AppConfigService(config) }],
      exports: [AppConfigService],
    };
  }
}
