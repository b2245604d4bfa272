import { ThrottleStore, WindowHit } from './throttle-store';

/**
 * Hits per key in fixed windows, in memory. Counting per window is constant work per hit (a
 * sliding log of timestamps, @nestjs/throttler's default, is pruned on every request and showed up
 * in profiles). A burst of up to twice the limit across a window edge is the usual price of fixed
 * windows.
 */
export class FixedWindowCounter implements ThrottleStore {
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string): WindowHit {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size >= MAX_KEYS) this.forgetEndedWindows(now);
      window = { hits: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return {
      hits: window.hits,
      isOverLimit: window.hits > this.limit,
      secondsLeft: Math.max(1, Math.ceil((window.endsAt - now) / 1000)),
    };
  }

  /** Keys whose window is open (for tests and diagnostics). */
  get size(): number {
    return this.windows.size;
  }

  private forgetEndedWindows(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/** Past this many keys, ended windows are dropped before a new one opens. */
export const MAX_KEYS = 100_000;
