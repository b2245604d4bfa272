import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConsoleController } from './console.controller';
import { ConsoleFiles } from './console-files';
import { DevelopmentSignInController } from './development-sign-in.controller';

/**
 * The partner console at /console: a page that uses the public API like any client. The
 * development sign-in route exists only while the development issuer is active.
 */
@Module({})
export class ConsoleModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.console.enabled) return { module: ConsoleModule };
    return {
      module: ConsoleModule,
      controllers: [
        ConsoleController,
        ...(config.auth.mode === 'development' ? [DevelopmentSignInController] : []),
      ],
      providers: [{ provide: ConsoleFiles, useFactory: () => ConsoleFiles.load() }],
    };
  }
}
