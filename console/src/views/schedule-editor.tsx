import { useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { messageOf } from '../components/hooks';
import { ErrorMessage, Notice, Section } from '../components/ui';
import { browserTimeZone, formatDateTime } from '../logic/dates';
import {
  DAYS,
  defaultScheduleFields,
  fieldsOf,
  OVERLAP_POLICIES,
  PATTERN_TYPES,
  Schedule,
  ScheduleFields,
  scheduleOf,
} from '../logic/schedule-form';

const PATTERN_LABELS: Record<string, string> = {
  daily: 'Daily',
  weekly: 'Weekly',
  absoluteMonthly: 'Monthly (day of month)',
};
const OVERLAP_LABELS: Record<string, string> = {
  skip: 'Skip the slot while a run goes',
  bufferOne: 'Run once when the running one ends',
  cancelOther: 'Cancel the running one',
};

/** The operation's schedule: edit, save, pause or resume; the next five runs as the API computes them. */
export function ScheduleEditor({
  operationId,
  schedule,
  onSaved,
}: {
  operationId: string;
  schedule: Schedule | null;
  onSaved: (schedule: Schedule | null) => void;
}) {
  const api = useApi();
  const fallback = defaultScheduleFields(new Date(), browserTimeZone());
  const [fields, setFields] = useState<ScheduleFields>(
    schedule ? fieldsOf(schedule, fallback) : fallback,
  );
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const set = <K extends keyof ScheduleFields>(name: K, value: ScheduleFields[K]) =>
    setFields({ ...fields, [name]: value });
  const path = `managedTenantOperations/${encodeURIComponent(operationId)}`;

  const save = async (next: Schedule | null, message: string) => {
    setError(undefined);
    try {
      const saved = await api.patch<{ schedule?: Schedule | null }>(`${path}?$select=schedule`, {
        schedule: next,
      });
      const value =
        saved?.schedule ??
        (await api.get<{ schedule?: Schedule | null }>(path, { $select: 'schedule' })).schedule ??
        null;
      onSaved(value);
      if (value) setFields(fieldsOf(value, fallback));
      setNotice(message);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const upcoming = schedule?.upcomingRunDateTimes ?? [];
  return (
    <Section title="Schedule">
      <form
        class="form"
        aria-label="Schedule"
        onSubmit={(event) => {
          event.preventDefault();
          void save(scheduleOf(fields), 'Schedule saved.');
        }}
      >
        <div class="row">
          <label>
            Repeats
            <select
              value={fields.patternType}
              onChange={(event) => set('patternType', event.currentTarget.value)}
            >
              {PATTERN_TYPES.map((type) => (
                <option key={type} value={type}>
                  {PATTERN_LABELS[type]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Every (interval)
            <input
              type="number"
              min={1}
              max={99}
              value={fields.interval}
              onInput={(event) => set('interval', Number(event.currentTarget.value))}
            />
          </label>
          <label>
            Time of day
            <input
              type="time"
              value={fields.timeOfDay}
              onInput={(event) => set('timeOfDay', event.currentTarget.value)}
              required
            />
          </label>
          <label>
            Time zone
            <input
              value={fields.timeZone}
              onInput={(event) => set('timeZone', event.currentTarget.value)}
              required
            />
          </label>
          <label>
            Starting
            <input
              type="date"
              value={fields.startDate}
              onInput={(event) => set('startDate', event.currentTarget.value)}
              required
            />
          </label>
        </div>
        {fields.patternType === 'weekly' && (
          <fieldset>
            <legend>Days</legend>
            {DAYS.map((day) => (
              <label class="check" key={day}>
                <input
                  type="checkbox"
                  checked={fields.daysOfWeek.includes(day)}
                  onChange={(event) =>
                    set(
                      'daysOfWeek',
                      event.currentTarget.checked
                        ? [...fields.daysOfWeek, day]
                        : fields.daysOfWeek.filter((other) => other !== day),
                    )
                  }
                />
                {day[0].toUpperCase() + day.slice(1)}
              </label>
            ))}
          </fieldset>
        )}
        {fields.patternType === 'absoluteMonthly' && (
          <label>
            Day of the month
            <input
              type="number"
              min={1}
              max={31}
              value={fields.dayOfMonth}
              onInput={(event) => set('dayOfMonth', Number(event.currentTarget.value))}
            />
          </label>
        )}
        <div class="row">
          <label>
            While a run still goes
            <select
              value={fields.overlapPolicy}
              onChange={(event) => set('overlapPolicy', event.currentTarget.value)}
            >
              {OVERLAP_POLICIES.map((policy) => (
                <option key={policy} value={policy}>
                  {OVERLAP_LABELS[policy]}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={fields.pauseOnFailure}
              onChange={(event) => set('pauseOnFailure', event.currentTarget.checked)}
            />
            Pause when a scheduled run fails
          </label>
        </div>
        <ErrorMessage error={error} />
        <Notice text={notice} />
        <div class="actions">
          <button type="submit" class="primary">
            Save schedule
          </button>
          {schedule && (
            <button
              type="button"
              onClick={() =>
                save(
                  { ...scheduleOf(fields), isPaused: !schedule.isPaused },
                  schedule.isPaused ? 'Schedule resumed.' : 'Schedule paused.',
                )
              }
            >
              {schedule.isPaused ? 'Resume' : 'Pause'}
            </button>
          )}
          {schedule && (
            <button type="button" class="danger" onClick={() => save(null, 'Schedule removed.')}>
              Remove schedule
            </button>
          )}
        </div>
      </form>
      {schedule && (
        <section aria-label="Next runs">
          <h3>{schedule.isPaused ? 'Paused: no run is due' : 'Next runs'}</h3>
          <ol class="upcoming">
            {upcoming.map((slot) => (
              <li key={slot}>
                <time dateTime={slot}>{formatDateTime(slot)}</time>
              </li>
            ))}
          </ol>
          {schedule.lastRunDateTime && (
            <p class="hint">Last scheduled run: {formatDateTime(schedule.lastRunDateTime)}</p>
          )}
        </section>
      )}
    </Section>
  );
}
