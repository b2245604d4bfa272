/** What one more request of a key means: over the budget or not, and when its window ends. */
export interface WindowHit {
  readonly isOverLimit: boolean;
  /** Whole seconds until the key's window ends (at least 1). */
  readonly secondsLeft: number;
}

/**
 * Where throttling counts requests per key in fixed windows: in this process
 * (FixedWindowCounter), or in Redis so that every instance spends one budget
 * (RedisThrottleStore). The in-process store answers synchronously, which keeps a request that
 * needs no I/O free of an extra turn of the event loop.
 */
export interface ThrottleStore {
  hit(key: string): WindowHit | Promise<WindowHit>;
}

export const THROTTLE_STORE = Symbol('ThrottleStore');
