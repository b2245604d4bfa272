import { Clock, ClockTimer } from './clock';

interface ManualTimer extends ClockTimer {
  readonly work: () => void;
  readonly order: number;
  cancelled: boolean;
}

/**
 * A clock that moves only when told (`advance`), for unit tests of background work: timers fire
 * in the order they are due, and the promises they start settle between them.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private created = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(work: () => void, ms: number): ClockTimer {
    const timer: ManualTimer = {
      due: this.current + Math.max(0, ms),
      work,
      order: this.created++,
      cancelled: false,
    };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer) (timer as ManualTimer).cancelled = true;
  }

  /** Timers not fired or cleared yet. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward by `ms`, firing each timer due on the way and letting its work settle. */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    for (;;) {
      await settle();
      const next = this.timers
        .filter((timer) => !timer.cancelled && timer.due <= until)
        .sort((a, b) => a.due - b.due || a.order - b.order)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.current = Math.max(this.current, next.due);
      next.work();
    }
    this.current = until;
    this.timers = this.timers.filter((timer) => !timer.cancelled);
    await settle();
  }
}

/** Lets pending promise callbacks (and I/O that is already done) run. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) {
    await new Promise<void>((done) => setImmediate(done));
  }
}
