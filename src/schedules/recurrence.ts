import { DateTime, IANAZone } from 'luxon';
import { dayOfWeek, recurrencePatternType, recurrenceRangeType, weekIndex } from '../edm/model';

/**
 * Microsoft Graph's `patternedRecurrence` (the calendar API's), expanded into the instants a
 * schedule fires at: the pattern gives local dates, `timeOfDay` the local time, the range's
 * `recurrenceTimeZone` (an IANA name, UTC by default) the instants, through luxon's zone offsets
 * (the platform's time-zone data; no rule is written here). A local time that does not exist on a
 * day (02:30 when clocks spring forward) fires at the first instant after it that exists; one that
 * exists twice (when clocks fall back) fires at the first.
 */

export const RECURRENCE_PATTERN_TYPES = recurrencePatternType.members;
export const RECURRENCE_RANGE_TYPES = recurrenceRangeType.members;
export const DAYS_OF_WEEK = dayOfWeek.members;
export const WEEK_INDEXES = weekIndex.members;

export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export interface RecurrencePattern {
  readonly type?: string | null;
  readonly interval?: number | null;
  readonly month?: number | null;
  readonly dayOfMonth?: number | null;
  readonly daysOfWeek?: readonly string[] | null;
  readonly firstDayOfWeek?: string | null;
  readonly index?: string | null;
}

export interface RecurrenceRange {
  readonly type?: string | null;
  readonly startDate?: string | null;
  readonly endDate?: string | null;
  readonly numberOfOccurrences?: number | null;
  readonly recurrenceTimeZone?: string | null;
}

export interface PatternedRecurrence {
  readonly pattern?: RecurrencePattern | null;
  readonly range?: RecurrenceRange | null;
}

/** A recurrence that cannot be expanded: `member` names what is wrong (`pattern/interval`). */
export class InvalidRecurrenceError extends Error {
  constructor(
    readonly member: string,
    readonly detail: string,
  ) {
    super(`${member}: ${detail}`);
  }
}

/** A recurrence checked and ready to expand. */
export interface Recurrence {
  readonly type: (typeof RECURRENCE_PATTERN_TYPES)[number];
  readonly interval: number;
  readonly month: number;
  readonly dayOfMonth: number;
  /** Weekday numbers, 0 = Sunday. */
  readonly daysOfWeek: readonly number[];
  readonly firstDayOfWeek: number;
  /** 1 to 4, or 5 for `last`. */
  readonly index: number;
  readonly start: DateTime;
  readonly end?: DateTime;
  readonly occurrences?: number;
  readonly zone: IANAZone;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The pattern types that need each member. */
const MEMBERS_NEEDED: Readonly<Record<'daysOfWeek' | 'dayOfMonth' | 'month', readonly string[]>> = {
  daysOfWeek: ['weekly', 'relativeMonthly', 'relativeYearly'],
  dayOfMonth: ['absoluteMonthly', 'absoluteYearly'],
  month: ['absoluteYearly', 'relativeYearly'],
};
/** Periods (days, weeks, months or years) looked through for the next occurrences at most. */
const MAX_PERIODS = 100_000;

/** Checks a recurrence as Graph's calendar API would, naming the member that is wrong. */
export function checkRecurrence(recurrence: PatternedRecurrence): Recurrence {
  const pattern = recurrence.pattern ?? {};
  const range = recurrence.range ?? {};
  const type = pattern.type;
  if (!type || !(RECURRENCE_PATTERN_TYPES as readonly string[]).includes(type)) {
    throw new InvalidRecurrenceError(
      'pattern/type',
      `must be one of ${RECURRENCE_PATTERN_TYPES.join(', ')}`,
    );
  }
  const interval = pattern.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1 || interval > 99) {
    throw new InvalidRecurrenceError('pattern/interval', 'must be a whole number from 1 to 99');
  }
  const needs = (member: keyof typeof MEMBERS_NEEDED): boolean =>
    MEMBERS_NEEDED[member].includes(type);
  const daysOfWeek = (pattern.daysOfWeek ?? []).map((day) => {
    const number = (DAYS_OF_WEEK as readonly string[]).indexOf(day);
    if (number < 0) {
      throw new InvalidRecurrenceError('pattern/daysOfWeek', `'${day}' is not a day of the week`);
    }
    return number;
  });
  if (needs('daysOfWeek') && daysOfWeek.length === 0) {
    throw new InvalidRecurrenceError(
      'pattern/daysOfWeek',
      `a ${type} pattern needs at least one day`,
    );
  }
  const dayOfMonth = pattern.dayOfMonth ?? 0;
  if (needs('dayOfMonth') && (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31)) {
    throw new InvalidRecurrenceError('pattern/dayOfMonth', 'must be a day from 1 to 31');
  }
  const month = pattern.month ?? 0;
  if (needs('month') && (!Number.isInteger(month) || month < 1 || month > 12)) {
    throw new InvalidRecurrenceError('pattern/month', 'must be a month from 1 to 12');
  }
  if (type === 'absoluteYearly' && dayOfMonth > DateTime.utc(2024, month, 1).daysInMonth!) {
    throw new InvalidRecurrenceError(
      'pattern/dayOfMonth',
      `month ${month} has no day ${dayOfMonth}`,
    );
  }
  const firstDayOfWeek = (DAYS_OF_WEEK as readonly string[]).indexOf(
    pattern.firstDayOfWeek ?? 'sunday',
  );
  if (firstDayOfWeek < 0) {
    throw new InvalidRecurrenceError('pattern/firstDayOfWeek', 'must be a day of the week');
  }
  const index = (WEEK_INDEXES as readonly string[]).indexOf(pattern.index ?? 'first') + 1;
  if (index < 1) {
    throw new InvalidRecurrenceError('pattern/index', `must be one of ${WEEK_INDEXES.join(', ')}`);
  }

  const rangeType = range.type ?? 'noEnd';
  if (!(RECURRENCE_RANGE_TYPES as readonly string[]).includes(rangeType)) {
    throw new InvalidRecurrenceError(
      'range/type',
      `must be one of ${RECURRENCE_RANGE_TYPES.join(', ')}`,
    );
  }
  const zoneName = range.recurrenceTimeZone || 'UTC';
  if (!IANAZone.isValidZone(zoneName)) {
    throw new InvalidRecurrenceError(
      'range/recurrenceTimeZone',
      `'${zoneName}' is not a time zone (an IANA name such as Europe/Berlin)`,
    );
  }
  const start = dateOf(range.startDate, 'range/startDate');
  let end: DateTime | undefined;
  let occurrences: number | undefined;
  if (rangeType === 'endDate') {
    end = dateOf(range.endDate, 'range/endDate');
    if (end < start) throw new InvalidRecurrenceError('range/endDate', 'is before range/startDate');
  }
  if (rangeType === 'numbered') {
    occurrences = range.numberOfOccurrences ?? 0;
    if (!Number.isInteger(occurrences) || occurrences < 1) {
      throw new InvalidRecurrenceError(
        'range/numberOfOccurrences',
        'must be a whole number of at least 1',
      );
    }
  }
  return {
    type: type as Recurrence['type'],
    interval,
    month,
    dayOfMonth,
    daysOfWeek: [...new Set(daysOfWeek)].sort((a, b) => a - b),
    firstDayOfWeek,
    index,
    start,
    end,
    occurrences,
    zone: IANAZone.create(zoneName),
  };
}

function dateOf(text: string | null | undefined, member: string): DateTime {
  const date = DATE.test(text ?? '') ? DateTime.fromISO(text!, { zone: 'utc' }) : undefined;
  if (!date?.isValid) throw new InvalidRecurrenceError(member, 'must be a date (YYYY-MM-DD)');
  return date;
}

/** `HH:MM` or `HH:MM:SS` (Edm.TimeOfDay), as hours, minutes and seconds. */
export function timeOfDayOf(text: string): { hour: number; minute: number; second: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$/.exec(text);
  if (!match) throw new InvalidRecurrenceError('timeOfDay', 'must be a time of day (HH:MM)');
  return { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? 0) };
}

/**
 * The instants the recurrence fires at after `after` (exclusive), at most `limit` and none after
 * `until`, in order:
 * each local date of the pattern within the range, at `timeOfDay` in the range's time zone.
 */
export function nextOccurrences(
  recurrence: Recurrence,
  timeOfDay: { hour: number; minute: number; second: number },
  after: Date,
  limit: number,
  until?: Date,
): Date[] {
  const found: Date[] = [];
  let counted = 0;
  for (const date of localDates(recurrence)) {
    if (recurrence.end && date > recurrence.end) break;
    counted += 1;
    if (recurrence.occurrences !== undefined && counted > recurrence.occurrences) break;
    const instant = instantOf(date, timeOfDay, recurrence.zone);
    if (until && instant.getTime() > until.getTime()) break;
    if (instant.getTime() > after.getTime()) {
      found.push(instant);
      if (found.length >= limit) break;
    }
  }
  return found;
}

/** The pattern's local dates from the range's start on, in order (dates as UTC midnights). */
function* localDates(r: Recurrence): Generator<DateTime> {
  const start = r.start;
  const onOrAfterStart = function* (dates: DateTime[]): Generator<DateTime> {
    for (const date of dates) if (date >= start) yield date;
  };
  for (let period = 0; period < MAX_PERIODS; period += 1) {
    const step = period * r.interval;
    switch (r.type) {
      case 'daily':
        yield start.plus({ days: step });
        break;
      case 'weekly': {
        const weekStart = start.minus({ days: ((start.weekday % 7) - r.firstDayOfWeek + 7) % 7 });
        const week = weekStart.plus({ weeks: step });
        const days = r.daysOfWeek
          .map((day) => week.plus({ days: (day - r.firstDayOfWeek + 7) % 7 }))
          .sort((a, b) => a.toMillis() - b.toMillis());
        yield* onOrAfterStart(days);
        break;
      }
      case 'absoluteMonthly': {
        const month = start.startOf('month').plus({ months: step });
        // A day the month does not have (31 in April) skips that month, as Graph's calendar does.
        if (r.dayOfMonth <= month.daysInMonth!) {
          yield* onOrAfterStart([month.set({ day: r.dayOfMonth })]);
        }
        break;
      }
      case 'relativeMonthly':
        yield* onOrAfterStart(relativeDay(start.startOf('month').plus({ months: step }), r));
        break;
      case 'absoluteYearly': {
        const month = start.startOf('year').plus({ years: step }).set({ month: r.month });
        if (r.dayOfMonth <= month.daysInMonth!) {
          yield* onOrAfterStart([month.set({ day: r.dayOfMonth })]);
        }
        break;
      }
      case 'relativeYearly': {
        const month = start.startOf('year').plus({ years: step }).set({ month: r.month });
        yield* onOrAfterStart(relativeDay(month, r));
        break;
      }
    }
  }
}

/** The index-th (or last) day of the month that is one of the pattern's days of the week. */
function relativeDay(month: DateTime, r: Recurrence): DateTime[] {
  const matching: DateTime[] = [];
  for (let day = 1; day <= month.daysInMonth!; day += 1) {
    const date = month.set({ day });
    if (r.daysOfWeek.includes(date.weekday % 7)) matching.push(date);
  }
  const chosen = r.index === 5 ? matching[matching.length - 1] : matching[r.index - 1];
  return chosen ? [chosen] : [];
}

/**
 * The instant a local date and time has in a zone: the first of two when it exists twice, and
 * when it does not exist, the first instant after it that does (the moment the clocks jumped).
 */
export function instantOf(
  date: DateTime,
  time: { hour: number; minute: number; second: number },
  zone: IANAZone,
): Date {
  // The wall time as if it were UTC: an instant minus the zone's offset then is the instant.
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second);
  const wallAt = (instant: number): number => instant + zone.offset(instant) * 60_000;
  const offsets = [zone.offset(wall - 86_400_000), zone.offset(wall + 86_400_000)];
  const candidates = offsets
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => wallAt(instant) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]);
  // A gap: the earliest instant whose wall time is past the one asked for, to the second.
  let low = wall - Math.max(...offsets) * 60_000;
  let high = wall - Math.min(...offsets) * 60_000;
  while (high - low > 1_000) {
    const middle = low + Math.floor((high - low) / 2_000) * 1_000;
    if (wallAt(middle) >= wall) high = middle;
    else low = middle;
  }
  return new Date(high);
}
