import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { DeferredBodyErrorGuard } from '../common/deferred-body-error';
import { AppConfigService } from '../config/app-config.service';
import { AuthenticationGuard } from './authentication.guard';
import { loadDevelopmentKey } from './development-issuer';
import { TenantThrottlerGuard } from './tenant-throttler.guard';
import { FixedWindowThrottlerStorage, THROTTLE_STORE, ThrottleStore } from './throttle-store';
import { ThrottleStoreModule } from './throttle-store.module';
import { TokenVerifier } from './token-verifier';

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottleStoreModule],
      inject: [AppConfigService, THROTTLE_STORE],
      useFactory: (config: AppConfigService, store: ThrottleStore) => ({
        // One throttler, per tenant (TenantThrottlerGuard); the store counts with the same
        // limit and window.
        throttlers: [
          {
            name: 'tenant',
            limit: config.values.throttle.limit,
            ttl: config.values.throttle.windowSeconds * 1000,
          },
        ],
        storage: new FixedWindowThrottlerStorage(store),
        setHeaders: false,
      }),
    }),
  ],
  providers: [
    {
      provide: TokenVerifier,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService) => {
        const { auth } = config.values;
        if (auth.mode !== 'development') return TokenVerifier.create(auth);
        new Logger('Auth').warn(
          'Development mode: no AUTH_* is set, so tokens are verified against the development ' +
            'issuer key (DEVELOPMENT_ISSUER_KEY, or a file beside the database). `npm run token` ' +
            'mints them. Never use this in production.',
        );
        return TokenVerifier.create(auth, await loadDevelopmentKey(config.values));
      },
    },
    AuthenticationGuard,
    TenantThrottlerGuard,
    // Order matters: authenticate first, then throttle by the caller.
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_GUARD, useExisting: TenantThrottlerGuard },
    // Then what the body parsers could not take (400, 415), once the caller is known.
    { provide: APP_GUARD, useClass: DeferredBodyErrorGuard },
  ],
  exports: [TokenVerifier, AuthenticationGuard],
})
export class AuthModule {}
