/**
 * Lexical forms of the Edm primitive types we use, after the OData ABNF
 * (odata-abnf-construction-rules.txt: guidValue, dateTimeOffsetValue) and CSDL (Edm.Int32 range).
 */

export const GUID_PATTERN =
  /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

// dateTimeOffsetValue = year "-" month "-" day "T" timeOfDayValue ( "Z" / SIGN hour ":" minute )
// timeOfDayValue = hour ":" minute [ ":" second [ "." fractionalSeconds ] ]
const DATE_TIME_OFFSET_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-](\d{2}):(\d{2}))$/i;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_PATTERN.test(value);
}

export function isInt32(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX
  );
}

/**
 * Parses an Edm.DateTimeOffset literal and returns its instant, or `undefined` when the text is not
 * one (wrong shape, or a calendar date or time of day that does not exist).
 * Years are limited to 0001-9999, the range JavaScript dates and ISO 8601 strings share.
 */
export function parseDateTimeOffset(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_TIME_OFFSET_PATTERN.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', , zone, offsetHour, offsetMinute] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (zone.toUpperCase() !== 'Z' && (Number(offsetHour) > 23 || Number(offsetMinute) > 59)) {
    return undefined;
  }
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

// dateValue = year "-" month "-" day
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
// timeOfDayValue = hour ":" minute [ ":" second [ "." fractionalSeconds ] ]
const TIME_OF_DAY_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,12})?)?$/;
// durationValue = [ SIGN ] "P" [ 1*DIGIT "D" ] [ "T" [ 1*DIGIT "H" ] [ 1*DIGIT "M" ] [ 1*DIGIT [ "." 1*DIGIT ] "S" ] ]
const DURATION_PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Whether the text is an Edm.Date that exists (`2026-02-30` does not). */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** An Edm.TimeOfDay in its canonical form `HH:MM:SS`, or `undefined` when the text is not one. */
export function canonicalTimeOfDay(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIME_OF_DAY_PATTERN.exec(value);
  return match ? `${match[1]}:${match[2]}:${match[3] ?? '00'}` : undefined;
}

/**
 * The length of a non-negative Edm.Duration (`PT1H`, `P1DT30M`) in milliseconds, or `undefined`
 * when the text is not one. OData durations have days, hours, minutes and seconds only.
 */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length < 2) return undefined;
  const match = DURATION_PATTERN.exec(value);
  if (!match || /T$/i.test(value)) return undefined;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return ((days * 24 + hours) * 60 + minutes) * 60_000 + Math.round(seconds * 1000);
}

/** The canonical form we store and return: UTC, millisecond precision, `Z` suffix. */
export function toUtcDateTimeOffset(instant: Date): string {
  return instant.toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Now, but strictly after `previous`, so that lastModifiedDateTime (and the ETag) advances. */
export function laterTimestamp(previous: string): string {
  return toUtcDateTimeOffset(new Date(Math.max(Date.now(), Date.parse(previous) + 1)));
}
