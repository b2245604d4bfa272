import {
  checkRecurrence,
  InvalidRecurrenceError,
  nextOccurrences,
  PatternedRecurrence,
  timeOfDayOf,
} from './recurrence';

/** The next instants of a recurrence, as ISO texts, after `after`. */
function next(
  recurrence: PatternedRecurrence,
  timeOfDay: string,
  count = 5,
  after = '2000-01-01T00:00:00Z',
): string[] {
  return nextOccurrences(
    checkRecurrence(recurrence),
    timeOfDayOf(timeOfDay),
    new Date(after),
    count,
  ).map((instant) => instant.toISOString().replace('.000Z', 'Z'));
}

const from = (startDate: string, more: Record<string, unknown> = {}) => ({
  type: 'noEnd',
  startDate,
  ...more,
});

describe('patternedRecurrence (hand-checked dates)', () => {
  it('daily, every second day', () => {
    expect(
      next({ pattern: { type: 'daily', interval: 2 }, range: from('2026-01-01') }, '09:00'),
    ).toEqual([
      '2026-01-01T09:00:00Z',
      '2026-01-03T09:00:00Z',
      '2026-01-05T09:00:00Z',
      '2026-01-07T09:00:00Z',
      '2026-01-09T09:00:00Z',
    ]);
  });

  it('weekly, every other week on Monday and Thursday, from a Wednesday', () => {
    const recurrence = {
      pattern: {
        type: 'weekly',
        interval: 2,
        daysOfWeek: ['thursday', 'monday'],
        firstDayOfWeek: 'sunday',
      },
      range: from('2026-01-07'),
    };
    expect(next(recurrence, '08:30')).toEqual([
      '2026-01-08T08:30:00Z',
      '2026-01-19T08:30:00Z',
      '2026-01-22T08:30:00Z',
      '2026-02-02T08:30:00Z',
      '2026-02-05T08:30:00Z',
    ]);
  });

  it('absoluteMonthly on day 31 skips the months without one', () => {
    const recurrence = {
      pattern: { type: 'absoluteMonthly', dayOfMonth: 31 },
      range: from('2026-01-01'),
    };
    expect(next(recurrence, '06:00')).toEqual([
      '2026-01-31T06:00:00Z',
      '2026-03-31T06:00:00Z',
      '2026-05-31T06:00:00Z',
      '2026-07-31T06:00:00Z',
      '2026-08-31T06:00:00Z',
    ]);
  });

  it('relativeMonthly: the last Friday, the second Tuesday', () => {
    const last = {
      pattern: { type: 'relativeMonthly', index: 'last', daysOfWeek: ['friday'] },
      range: from('2026-01-01'),
    };
    expect(next(last, '17:00', 3)).toEqual([
      '2026-01-30T17:00:00Z',
      '2026-02-27T17:00:00Z',
      '2026-03-27T17:00:00Z',
    ]);
    const second = {
      pattern: { type: 'relativeMonthly', index: 'second', daysOfWeek: ['tuesday'] },
      range: from('2026-01-01'),
    };
    expect(next(second, '10:00', 2)).toEqual(['2026-01-13T10:00:00Z', '2026-02-10T10:00:00Z']);
  });

  it('absoluteYearly on 29 February comes in leap years only', () => {
    const recurrence = {
      pattern: { type: 'absoluteYearly', month: 2, dayOfMonth: 29 },
      range: from('2025-01-01'),
    };
    expect(next(recurrence, '12:00', 2)).toEqual(['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z']);
  });

  it('relativeYearly: the fourth Thursday of November', () => {
    const recurrence = {
      pattern: { type: 'relativeYearly', month: 11, index: 'fourth', daysOfWeek: ['thursday'] },
      range: from('2026-01-01'),
    };
    expect(next(recurrence, '15:00', 2)).toEqual(['2026-11-26T15:00:00Z', '2027-11-25T15:00:00Z']);
  });

  it('ends at the end date, or after the number of occurrences counted from the start', () => {
    const daily = { type: 'daily' };
    expect(
      next(
        {
          pattern: daily,
          range: { type: 'endDate', startDate: '2026-01-01', endDate: '2026-01-03' },
        },
        '09:00',
      ),
    ).toEqual(['2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z', '2026-01-03T09:00:00Z']);
    const numbered = {
      pattern: daily,
      range: { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 3 },
    };
    expect(next(numbered, '09:00', 5, '2026-01-02T10:00:00Z')).toEqual(['2026-01-03T09:00:00Z']);
  });

  it('Europe/Berlin: 02:30 on the spring-forward day fires at 03:00, on the fall-back day once, at the first', () => {
    const at = (startDate: string) => ({
      pattern: { type: 'daily' },
      range: from(startDate, { recurrenceTimeZone: 'Europe/Berlin' }),
    });
    expect(next(at('2026-03-28'), '02:30', 3)).toEqual([
      '2026-03-28T01:30:00Z', // 02:30 CET
      '2026-03-29T01:00:00Z', // 02:30 does not exist: 03:00 CEST, when the clocks jumped
      '2026-03-30T00:30:00Z', // 02:30 CEST
    ]);
    expect(next(at('2026-10-24'), '02:30', 3)).toEqual([
      '2026-10-24T00:30:00Z', // 02:30 CEST
      '2026-10-25T00:30:00Z', // 02:30 comes twice: the first, still CEST
      '2026-10-26T01:30:00Z', // 02:30 CET
    ]);
  });

  it('America/New_York: the same on its own transition days', () => {
    const at = (startDate: string) => ({
      pattern: { type: 'daily' },
      range: from(startDate, { recurrenceTimeZone: 'America/New_York' }),
    });
    expect(next(at('2026-03-07'), '02:30', 3)).toEqual([
      '2026-03-07T07:30:00Z', // 02:30 EST
      '2026-03-08T07:00:00Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00Z', // 02:30 EDT
    ]);
    expect(next(at('2026-10-31'), '01:30', 3)).toEqual([
      '2026-10-31T05:30:00Z', // 01:30 EDT
      '2026-11-01T05:30:00Z', // 01:30 comes twice: the first, EDT
      '2026-11-02T06:30:00Z', // 01:30 EST
    ]);
  });

  it('refuses what Graph refuses, naming the member', () => {
    const cases: Array<[PatternedRecurrence, string]> = [
      [{ pattern: { type: 'hourly' }, range: from('2026-01-01') }, 'pattern/type'],
      [{ pattern: { type: 'daily', interval: 0 }, range: from('2026-01-01') }, 'pattern/interval'],
      [{ pattern: { type: 'weekly' }, range: from('2026-01-01') }, 'pattern/daysOfWeek'],
      [
        { pattern: { type: 'weekly', daysOfWeek: ['funday'] }, range: from('2026-01-01') },
        'pattern/daysOfWeek',
      ],
      [
        { pattern: { type: 'absoluteMonthly', dayOfMonth: 32 }, range: from('2026-01-01') },
        'pattern/dayOfMonth',
      ],
      [
        {
          pattern: { type: 'absoluteYearly', month: 2, dayOfMonth: 30 },
          range: from('2026-01-01'),
        },
        'pattern/dayOfMonth',
      ],
      [
        { pattern: { type: 'relativeYearly', daysOfWeek: ['monday'] }, range: from('2026-01-01') },
        'pattern/month',
      ],
      [
        {
          pattern: { type: 'relativeMonthly', daysOfWeek: ['monday'], index: 'fifth' },
          range: from('2026-01-01'),
        },
        'pattern/index',
      ],
      [
        {
          pattern: { type: 'daily' },
          range: from('2026-01-01', { recurrenceTimeZone: 'Mars/Olympus' }),
        },
        'range/recurrenceTimeZone',
      ],
      [
        {
          pattern: { type: 'daily' },
          range: { type: 'endDate', startDate: '2026-02-01', endDate: '2026-01-01' },
        },
        'range/endDate',
      ],
      [
        {
          pattern: { type: 'daily' },
          range: { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 0 },
        },
        'range/numberOfOccurrences',
      ],
      [
        { pattern: { type: 'daily' }, range: { type: 'noEnd', startDate: '2026-02-30' } },
        'range/startDate',
      ],
    ];
    for (const [recurrence, member] of cases) {
      let error: unknown;
      try {
        checkRecurrence(recurrence);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(InvalidRecurrenceError);
      expect((error as InvalidRecurrenceError).member).toBe(member);
    }
    expect(() => timeOfDayOf('25:00')).toThrow(/timeOfDay/);
  });
});
