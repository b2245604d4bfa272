import { Clock, ClockTimer, systemClock } from '../../src/jobs/clock';

/**
 * The system clock moved to another instant (a schedule's slot next March), running on from
 * there at the real pace, with real timers: background work behaves as it does in production,
 * only the calendar is the test's. `set` moves it again (forward, as time goes).
 */
export class ShiftedClock implements Clock {
  private offset: number;

  constructor(start: number) {
    this.offset = start - Date.now();
  }

  now(): number {
    return Date.now() + this.offset;
  }

  set(instant: number): void {
    this.offset = instant - Date.now();
  }

  setTimeout(work: () => void, ms: number): ClockTimer {
    return systemClock.setTimeout(work, ms);
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    systemClock.clearTimeout(timer);
  }
}
