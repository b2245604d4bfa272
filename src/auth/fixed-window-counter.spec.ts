import { FixedWindowCounter, MAX_KEYS } from './fixed-window-counter';

describe('FixedWindowCounter', () => {
  let now: number;
  const counter = (limit: number, windowMs: number) =>
    new FixedWindowCounter(limit, windowMs, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets `limit` hits per key through in a window and says when the window ends', () => {
    const windows = counter(2, 60_000);
    expect(windows.hit('a')).toEqual({ hits: 1, isOverLimit: false, secondsLeft: 60 });
    now += 15_500;
    expect(windows.hit('a')).toEqual({ hits: 2, isOverLimit: false, secondsLeft: 45 });
    expect(windows.hit('a')).toEqual({ hits: 3, isOverLimit: true, secondsLeft: 45 });
    // Another key has a budget of its own.
    expect(windows.hit('b').isOverLimit).toBe(false);
  });

  it('opens a fresh window when the last one has ended', () => {
    const windows = counter(1, 1_000);
    windows.hit('a');
    expect(windows.hit('a').isOverLimit).toBe(true);
    now += 1_000;
    expect(windows.hit('a')).toEqual({ hits: 1, isOverLimit: false, secondsLeft: 1 });
  });

  it('never says less than one second (Retry-After: 0 would invite an immediate retry)', () => {
    const windows = counter(0, 60_000);
    windows.hit('a');
    now += 59_999;
    expect(windows.hit('a')).toEqual({ hits: 2, isOverLimit: true, secondsLeft: 1 });
  });

  it('drops ended windows when it holds too many keys, and keeps the open ones', () => {
    const windows = counter(1, 1_000);
    for (let i = 0; i < MAX_KEYS - 1; i += 1) windows.hit(`old-${i}`);
    now += 500;
    windows.hit('open');
    now += 600; // the old windows have ended; `open` has not
    windows.hit('new');
    expect(windows.size).toBe(2);
    expect(windows.hit('open').isOverLimit).toBe(true);
  });
});
