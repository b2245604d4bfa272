import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { ThrottleStore, WindowHit } from './throttle-store';

/**
 * One round trip per request: count the hit, start the window's expiry on its first hit, and say
 * how long the window has left. (A key found without an expiry, which a crash between the two
 * calls of a non-atomic version could leave, cannot happen in a script; the PTTL check is the
 * fence for a key someone else wrote.)
 */
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}
`;

/** How often a Redis outage is logged while it lasts. */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

interface ThrottleRedis extends Redis {
  throttleHit(key: string, windowMs: number): Promise<[number, number]>;
}

/**
 * Fixed windows counted in Redis (REDIS_URL), so that N instances give a tenant one budget, not N.
 * If Redis cannot be reached the request is let through and the outage logged (at most once a
 * minute): throttling protects the service, and a throttle that fails closed would take the whole
 * API down with one cache.
 */
export class RedisThrottleStore implements ThrottleStore, OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Throttle');
  private readonly redis: ThrottleRedis;
  private lastOutageLogged = 0;

  constructor(
    url: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly keyPrefix = 'managed-tenant-operations:throttle:',
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      // A request never waits for a reconnection: while Redis is away, commands fail at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    }) as ThrottleRedis;
    this.redis.defineCommand('throttleHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Errors are reported through the commands that fail; without a listener ioredis would print
    // each reconnection attempt's error to stderr.
    this.redis.on('error', () => undefined);
  }

  /**
   * Connects, failing start-up with a clear message if Redis cannot be reached. (In a lifecycle
   * hook, not the provider's factory: by then every provider exists, so a failed start leaves
   * nothing half-made behind.)
   */
  async onModuleInit(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      this.redis.disconnect();
      // Never the URL itself: it may hold a password.
      throw new Error(
        `REDIS_URL: cannot reach Redis for throttling (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }

  async hit(key: string): Promise<WindowHit> {
    try {
      const [hits, left] = await this.redis.throttleHit(this.keyPrefix + key, this.windowMs);
      return {
        hits,
        isOverLimit: hits > this.limit,
        secondsLeft: Math.max(1, Math.ceil(left / 1000)),
      };
    } catch (error) {
      this.logOutage(error);
      return { hits: 0, isOverLimit: false, secondsLeft: 1 };
    }
  }

  /** After the HTTP server has closed: no request needs Redis any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private logOutage(error: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageLogged < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLogged = now;
    this.log.warn(
      `Redis did not answer (${error instanceof Error ? error.message : String(error)}); ` +
        'requests are let through unthrottled until it does.',
    );
  }
}
