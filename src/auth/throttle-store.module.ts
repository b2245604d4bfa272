import { Module } from '@nestjs/common';
import { provideBy } from '../common/typed-token';
import { AppConfigService } from '../config/app-config.service';
import { FixedWindowCounter } from './fixed-window-counter';
import { RedisThrottleStore } from './redis-throttle-store';
import { THROTTLE_STORE, ThrottleStore } from './throttle-store';

/** The throttle counters: in Redis with REDIS_URL (shared by every instance), else in memory. */
@Module({
  providers: [
    provideBy(THROTTLE_STORE, [AppConfigService], (config: AppConfigService): ThrottleStore => {
      const { throttle, redisUrl } = config.values;
      const windowMs = throttle.windowSeconds * 1000;
      return redisUrl
        ? new RedisThrottleStore(redisUrl, throttle.limit, windowMs)
        : new FixedWindowCounter(throttle.limit, windowMs);
    }),
  ],
  exports: [THROTTLE_STORE],
})
export class ThrottleStoreModule {}
