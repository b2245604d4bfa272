import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DeferredBodyErrorGuard } from '../common/deferred-body-error';
import { AppConfigService } from '../config/app-config.service';
import { AuthenticationGuard } from './authentication.guard';
import { loadDevelopmentKey } from './development-issuer';
import { FixedWindowCounter } from './fixed-window-counter';
import { RedisThrottleStore } from './redis-throttle-store';
import { CallerThrottleGuard } from './throttle.guard';
import { THROTTLE_STORE, ThrottleStore } from './throttle-store';
import { TokenVerifier } from './token-verifier';

@Global()
@Module({
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
    {
      provide: THROTTLE_STORE,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): ThrottleStore => {
        const { throttle, redisUrl } = config.values;
        const windowMs = throttle.windowSeconds * 1000;
        return redisUrl
          ? new RedisThrottleStore(redisUrl, throttle.limit, windowMs)
          : new FixedWindowCounter(throttle.limit, windowMs);
      },
    },
    AuthenticationGuard,
    CallerThrottleGuard,
    // Order matters: authenticate first, then throttle by the caller.
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_GUARD, useExisting: CallerThrottleGuard },
    // Then what the body parsers could not take (400, 415), once the caller is known.
    { provide: APP_GUARD, useClass: DeferredBodyErrorGuard },
  ],
  exports: [TokenVerifier, AuthenticationGuard, CallerThrottleGuard],
})
export class AuthModule {}
