import { leastLoaded, shareOut } from './fair-share';

describe('shareOut', () => {
  const key = (run: { id: string }) => run.id;

  it('gives the slots to the runs with the least work here, evening them out', () => {
    const runs = [{ id: 'big' }, { id: 'small' }, { id: 'new' }];
    const load: Record<string, number> = { big: 9, small: 2, new: 0 };
    const shares = shareOut(runs, key, (run) => load[run.id], 10);
    // new gets two to reach small, then the two share the rest evenly; big, busiest, gets none.
    expect(Object.fromEntries(shares)).toEqual({ big: 0, small: 4, new: 6 });
  });

  it('shares equally among equals, the first of equals first', () => {
    const runs = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(Object.fromEntries(shareOut(runs, key, () => 0, 7))).toEqual({ a: 3, b: 2, c: 2 });
  });

  it('gives nothing when there are no runs or no slots', () => {
    expect(shareOut([], key, () => 0, 5).size).toBe(0);
    expect(Object.fromEntries(shareOut([{ id: 'a' }], key, () => 0, 0))).toEqual({ a: 0 });
  });
});

describe('leastLoaded', () => {
  it('picks the key with the least load, the first of equals', () => {
    const load: Record<string, number> = { a: 3, b: 1, c: 1 };
    expect(leastLoaded(['a', 'b', 'c'], (k) => load[k])).toBe('b');
    expect(leastLoaded([], () => 0)).toBeUndefined();
  });
});
