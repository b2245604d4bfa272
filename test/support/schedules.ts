/** Schedules in tests: where the clock starts, a daily schedule, a wait for a condition. */

/** A Monday morning in January, UTC (no test waits for a real day: the clock starts here). */
export const MONDAY = Date.parse('2027-01-04T08:00:00Z');

export const daily = (
  startDate: string,
  timeOfDay: string,
  extra: Record<string, unknown> = {},
) => ({
  recurrence: {
    pattern: { type: 'daily', interval: 1 },
    range: { type: 'noEnd', startDate, recurrenceTimeZone: 'UTC' },
  },
  timeOfDay,
  ...extra,
});

export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
