import { typedToken } from '../common/typed-token';
import { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What one more request of a key means: its count, over the budget or not, when its window ends. */
export interface WindowHit {
  readonly hits: number;
  readonly isOverLimit: boolean;
  /** Whole seconds until the key's window ends (at least 1). */
  readonly secondsLeft: number;
}

/**
 * Where throttling counts requests per key in fixed windows: in this process
 * (FixedWindowCounter), or in Redis so that every instance spends one budget
 * (RedisThrottleStore). Fixed windows cost constant work per request; @nestjs/throttler's own
 * in-memory storage keeps a timer per key.
 */
export interface ThrottleStore {
  hit(key: string): WindowHit | Promise<WindowHit>;
}

export const THROTTLE_STORE = typedToken<ThrottleStore>('ThrottleStore');

/**
 * @nestjs/throttler's storage over one of our stores. The store was made with the same limit and
 * window as the one throttler (src/auth/auth.module.ts), so the arguments it is called with add
 * nothing; a request over the limit is blocked until its window ends.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: ThrottleStore) {}

  async increment(key: string): Promise<ThrottlerStorageRecord> {
    const { hits, isOverLimit, secondsLeft } = await this.store.hit(key);
    return {
      totalHits: hits,
      timeToExpire: secondsLeft,
      isBlocked: isOverLimit,
      timeToBlockExpire: isOverLimit ? secondsLeft : 0,
    };
  }
}
