import { typedToken } from '../common/typed-token';
/**
 * Time as background work sees it: the wall clock and timers. Injected (`CLOCK`), so that a
 * unit test drives a job's polls, back-off, leases and flushes with a manual clock instead of
 * waiting for them.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `work` once after `ms`; the timer never keeps the process alive on its own. */
  setTimeout(work: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/** A pending timer of a clock. */
export interface ClockTimer {
  readonly due: number;
}

export const CLOCK = typedToken<Clock>('Clock');

class SystemTimer implements ClockTimer {
  constructor(
    readonly due: number,
    readonly handle: NodeJS.Timeout,
  ) {}
}

/** The process's own clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(work, ms) {
    const handle = setTimeout(work, ms);
    handle.unref();
    return new SystemTimer(Date.now() + ms, handle);
  },
  clearTimeout(timer) {
    if (timer instanceof SystemTimer) clearTimeout(timer.handle);
  },
};
