/** The schedule editor's fields, and the `schedule` the API takes and gives. */

export const PATTERN_TYPES = ['daily', 'weekly', 'absoluteMonthly'] as const;
export const DAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export const OVERLAP_POLICIES = ['skip', 'bufferOne', 'cancelOther'] as const;

export interface ScheduleFields {
  patternType: string;
  interval: number;
  daysOfWeek: string[];
  dayOfMonth: number;
  timeOfDay: string;
  timeZone: string;
  startDate: string;
  overlapPolicy: string;
  pauseOnFailure: boolean;
  isPaused: boolean;
}

export interface Schedule {
  recurrence?: {
    pattern?: { type?: string; interval?: number; daysOfWeek?: string[]; dayOfMonth?: number };
    range?: { type?: string; startDate?: string; recurrenceTimeZone?: string };
  };
  timeOfDay?: string;
  overlapPolicy?: string;
  pauseOnFailure?: boolean;
  isPaused?: boolean;
  nextRunDateTime?: string | null;
  upcomingRunDateTimes?: string[] | null;
  lastRunDateTime?: string | null;
}

/** A new schedule's fields: daily at 06:00 in the browser's time zone, from today. */
export function defaultScheduleFields(today: Date, timeZone: string): ScheduleFields {
  return {
    patternType: 'daily',
    interval: 1,
    daysOfWeek: ['monday'],
    dayOfMonth: 1,
    timeOfDay: '06:00',
    timeZone,
    startDate: isoDate(today),
    overlapPolicy: 'skip',
    pauseOnFailure: false,
    isPaused: false,
  };
}

export function fieldsOf(schedule: Schedule, fallback: ScheduleFields): ScheduleFields {
  const pattern = schedule.recurrence?.pattern ?? {};
  const range = schedule.recurrence?.range ?? {};
  return {
    patternType: pattern.type ?? fallback.patternType,
    interval: pattern.interval ?? 1,
    daysOfWeek: pattern.daysOfWeek?.length ? [...pattern.daysOfWeek] : fallback.daysOfWeek,
    dayOfMonth: pattern.dayOfMonth ?? fallback.dayOfMonth,
    timeOfDay: (schedule.timeOfDay ?? fallback.timeOfDay).slice(0, 5),
    timeZone: range.recurrenceTimeZone ?? 'UTC',
    startDate: range.startDate ?? fallback.startDate,
    overlapPolicy: schedule.overlapPolicy ?? 'skip',
    pauseOnFailure: schedule.pauseOnFailure ?? false,
    isPaused: schedule.isPaused ?? false,
  };
}

/** The `schedule` to send: only the members the pattern type uses (the API refuses others). */
export function scheduleOf(fields: ScheduleFields): Schedule {
  const pattern: NonNullable<NonNullable<Schedule['recurrence']>['pattern']> = {
    type: fields.patternType,
    interval: fields.interval,
  };
  if (fields.patternType === 'weekly') pattern.daysOfWeek = [...fields.daysOfWeek];
  if (fields.patternType === 'absoluteMonthly') pattern.dayOfMonth = fields.dayOfMonth;
  return {
    recurrence: {
      pattern,
      range: { type: 'noEnd', startDate: fields.startDate, recurrenceTimeZone: fields.timeZone },
    },
    timeOfDay: fields.timeOfDay,
    overlapPolicy: fields.overlapPolicy,
    pauseOnFailure: fields.pauseOnFailure,
    isPaused: fields.isPaused,
  };
}

function isoDate(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
