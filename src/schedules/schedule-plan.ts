import { InvalidRequestError } from '../common/errors';
import { managedTenantOperationSchedule, ValueOf } from '../edm/model';
import { durationMs, toUtcDateTimeOffset } from '../edm/primitive-formats';
import {
  checkRecurrence,
  InvalidRecurrenceError,
  nextOccurrences,
  PatternedRecurrence,
  Recurrence,
  timeOfDayOf,
} from './recurrence';

/** An operation's `schedule`, as it is stored. */
export type ScheduleValue = NonNullable<
  ValueOf<{ readonly type: typeof managedTenantOperationSchedule }>
>;

export type OverlapPolicy = 'skip' | 'bufferOne' | 'cancelOther';

/** How many slots `upcomingRunDateTimes` shows. */
export const UPCOMING_RUNS = 5;
/** A slot missed while no instance was up runs if it is at most this late (`catchUpWindow`). */
export const DEFAULT_CATCH_UP_WINDOW = 'PT1H';

/** A schedule checked and ready to compute slots from. */
export interface SchedulePlan {
  readonly recurrence: Recurrence;
  readonly timeOfDay: { hour: number; minute: number; second: number };
  readonly overlapPolicy: OverlapPolicy;
  readonly catchUpWindowMs: number;
  readonly isPaused: boolean;
  readonly pauseOnFailure: boolean;
}

/**
 * Checks a schedule as a whole (each member's type was checked with the body): a recurrence that
 * Graph's calendar would refuse, or a missing time of day, is a 400 naming the member.
 */
export function planOf(schedule: ScheduleValue): SchedulePlan {
  if (!schedule.recurrence) throw invalid('recurrence', 'is required in a schedule');
  if (!schedule.timeOfDay) throw invalid('timeOfDay', 'is required in a schedule (HH:MM)');
  let recurrence: Recurrence;
  try {
    recurrence = checkRecurrence(schedule.recurrence as PatternedRecurrence);
  } catch (error) {
    if (error instanceof InvalidRecurrenceError) {
      throw invalid(`recurrence/${error.member}`, error.detail);
    }
    throw error;
  }
  const catchUpWindowMs = durationMs(schedule.catchUpWindow ?? DEFAULT_CATCH_UP_WINDOW);
  if (catchUpWindowMs === undefined) throw invalid('catchUpWindow', 'must be a duration');
  return {
    recurrence,
    timeOfDay: timeOfDayOf(schedule.timeOfDay),
    overlapPolicy: schedule.overlapPolicy ?? 'skip',
    catchUpWindowMs,
    isPaused: schedule.isPaused === true,
    pauseOnFailure: schedule.pauseOnFailure === true,
  };
}

/** The slots of a schedule after an instant (exclusive), at most `limit`. */
export function slotsAfter(plan: SchedulePlan, after: number, limit: number): number[] {
  return nextOccurrences(plan.recurrence, plan.timeOfDay, new Date(after), limit).map((slot) =>
    slot.getTime(),
  );
}

/** The slots of a schedule after `after` (exclusive) up to `until` (inclusive). */
export function slotsBetween(plan: SchedulePlan, after: number, until: number): number[] {
  return nextOccurrences(
    plan.recurrence,
    plan.timeOfDay,
    new Date(after),
    Number.MAX_SAFE_INTEGER,
    new Date(until),
  ).map((slot) => slot.getTime());
}

/**
 * The schedule with its computed members for slots after `after`: the next slot and the five
 * upcoming ones (none while paused), the last run's slot as it was.
 */
export function scheduleFrom(
  schedule: ScheduleValue,
  plan: SchedulePlan,
  after: number,
  lastRunAt: string | null,
): ScheduleValue {
  const upcoming = plan.isPaused ? [] : slotsAfter(plan, after, UPCOMING_RUNS);
  const dates = upcoming.map((slot) => toUtcDateTimeOffset(new Date(slot)));
  return {
    ...schedule,
    nextRunDateTime: dates[0] ?? null,
    upcomingRunDateTimes: dates,
    lastRunDateTime: lastRunAt,
  };
}

/** Named as the body's other validation errors name a member (`schedule.recurrence.…`). */
function invalid(member: string, detail: string): InvalidRequestError {
  return new InvalidRequestError(
    `Invalid request body: 'schedule.${member.replace(/\//g, '.')}' ${detail}.`,
  );
}

/**
 * The schedule after a run ended: a scheduled run that failed pauses it when `pauseOnFailure`
 * says so (its next slots go until a client sets `isPaused` back to false).
 */
export function scheduleAfterRun(
  schedule: ScheduleValue | null | undefined,
  status: 'succeeded' | 'failed' | 'cancelled',
  trigger: 'manual' | 'schedule' | 'catchUp',
): ScheduleValue | null | undefined {
  if (!schedule?.pauseOnFailure || status !== 'failed' || trigger === 'manual') return schedule;
  return { ...schedule, isPaused: true, nextRunDateTime: null, upcomingRunDateTimes: [] };
}
