import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { createOperation, engineEnv, runnableOperation, startSimulator } from './support/engine';
import { ShiftedClock } from './support/shifted-clock';
import { ENTITY_SET, TestApp } from './support/test-app';
import { ON_POSTGRES } from './support/test-database';
import { noteSecret } from './support/run-log';

/** A Monday morning in January, UTC (no test waits for a real day: the clock starts here). */
const MONDAY = Date.parse('2027-01-04T08:00:00Z');

const daily = (startDate: string, timeOfDay: string, extra: Record<string, unknown> = {}) => ({
  recurrence: {
    pattern: { type: 'daily', interval: 1 },
    range: { type: 'noEnd', startDate, recurrenceTimeZone: 'UTC' },
  },
  timeOfDay,
  ...extra,
});

async function eventually<T>(
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

/**
 * Schedules end to end against the Graph stand-in, with a clock the test sets (real timers, the
 * calendar the test's), on the database the e2e run uses (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL).
 */
describe('schedules', () => {
  let simulator: RunningSimulator;
  let clock: ShiftedClock;
  let app: TestApp;
  let a: string;
  let b: string;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    [a, b] = simulator.customerTenantIds;
    clock = new ShiftedClock(MONDAY);
    app = await TestApp.start(engineEnv(simulator, { SCHEDULES_POLL_MS: '50' }), { clock });
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const create = (schedule: unknown, tenants: string[] = [a]) =>
    app.post({ ...runnableOperation('GET /v1.0/organization', tenants), schedule });
  const read = async (id: string) => (await app.get(`${ENTITY_SET}/${id}`)).json();
  const runsOf = async (id: string): Promise<Record<string, any>[]> =>
    (await app.get(`${ENTITY_SET}/${id}/runs?$orderby=runNumber`)).json().value;

  describe('as written', () => {
    it('computes the next runs of each pattern type in its time zone, against hand-checked dates', async () => {
      const cases: Array<[unknown, string[]]> = [
        [daily('2027-01-01', '06:30'), ['2027-01-05T06:30:00.000Z', '2027-01-06T06:30:00.000Z']],
        [
          {
            recurrence: {
              pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'thursday'] },
              range: {
                type: 'noEnd',
                startDate: '2027-01-04',
                recurrenceTimeZone: 'Europe/Berlin',
              },
            },
            timeOfDay: '09:15',
          },
          // 09:15 in Berlin is 08:15Z in winter; every other week from the week of the 4th.
          ['2027-01-04T08:15:00.000Z', '2027-01-07T08:15:00.000Z', '2027-01-18T08:15:00.000Z'],
        ],
        [
          {
            recurrence: {
              pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 },
              range: { type: 'noEnd', startDate: '2027-01-01', recurrenceTimeZone: 'UTC' },
            },
            timeOfDay: '00:00',
          },
          // Day 31 skips the months without one, as Graph's calendar does.
          ['2027-01-31T00:00:00.000Z', '2027-03-31T00:00:00.000Z', '2027-05-31T00:00:00.000Z'],
        ],
        [
          {
            recurrence: {
              pattern: {
                type: 'relativeMonthly',
                interval: 1,
                daysOfWeek: ['friday'],
                index: 'last',
              },
              range: { type: 'numbered', startDate: '2027-01-01', numberOfOccurrences: 2 },
            },
            timeOfDay: '17:00',
          },
          ['2027-01-29T17:00:00.000Z', '2027-02-26T17:00:00.000Z'],
        ],
        [
          {
            recurrence: {
              pattern: { type: 'absoluteYearly', interval: 1, month: 2, dayOfMonth: 29 },
              range: { type: 'noEnd', startDate: '2027-01-01', recurrenceTimeZone: 'UTC' },
            },
            timeOfDay: '12:00',
          },
          ['2028-02-29T12:00:00.000Z', '2032-02-29T12:00:00.000Z'],
        ],
        [
          {
            recurrence: {
              pattern: {
                type: 'relativeYearly',
                interval: 1,
                month: 11,
                daysOfWeek: ['thursday'],
                index: 'fourth',
              },
              range: {
                type: 'endDate',
                startDate: '2027-01-01',
                endDate: '2028-12-31',
                recurrenceTimeZone: 'America/New_York',
              },
            },
            timeOfDay: '08:00',
          },
          // Thanksgiving at 08:00 in New York (EST, UTC-5); the range ends after two.
          ['2027-11-25T13:00:00.000Z', '2028-11-23T13:00:00.000Z'],
        ],
      ];
      for (const [schedule, expected] of cases) {
        const created = await create(schedule);
        expect(created.statusCode).toBe(201);
        const stored = created.json().schedule;
        expect(stored.upcomingRunDateTimes.slice(0, expected.length)).toEqual(expected);
        expect(stored.nextRunDateTime).toBe(expected[0]);
        expect(stored.lastRunDateTime).toBeNull();
      }
    });

    it('fires at the first valid instant on a spring-forward day and once on an autumn repeat', async () => {
      const berlin = (
        await create({
          recurrence: {
            pattern: { type: 'daily' },
            range: { type: 'noEnd', startDate: '2027-03-27', recurrenceTimeZone: 'Europe/Berlin' },
          },
          timeOfDay: '02:30',
        })
      ).json().schedule;
      // 02:30 does not exist on 28 March in Berlin: the clocks jump from 02:00 CET to 03:00 CEST.
      expect(berlin.upcomingRunDateTimes.slice(0, 3)).toEqual([
        '2027-03-27T01:30:00.000Z',
        '2027-03-28T01:00:00.000Z',
        '2027-03-29T00:30:00.000Z',
      ]);
      const newYork = (
        await create({
          recurrence: {
            pattern: { type: 'daily' },
            range: {
              type: 'noEnd',
              startDate: '2027-11-06',
              recurrenceTimeZone: 'America/New_York',
            },
          },
          timeOfDay: '01:30',
        })
      ).json().schedule;
      // 01:30 happens twice on 7 November in New York: the first (EDT, UTC-4) is the slot.
      expect(newYork.upcomingRunDateTimes.slice(0, 3)).toEqual([
        '2027-11-06T05:30:00.000Z',
        '2027-11-07T05:30:00.000Z',
        '2027-11-08T06:30:00.000Z',
      ]);
    });

    it('refuses a recurrence Graph would refuse, naming the member', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [
          {
            ...daily('2027-01-01', '06:00'),
            recurrence: {
              pattern: { type: 'daily', interval: 0 },
              range: { startDate: '2027-01-01' },
            },
          },
          /'schedule\.recurrence\.pattern\.interval'/,
        ],
        [
          {
            ...daily('2027-01-01', '06:00'),
            recurrence: {
              pattern: { type: 'daily' },
              range: { startDate: '2027-01-01', recurrenceTimeZone: 'Mars/Olympus' },
            },
          },
          /'schedule\.recurrence\.range\.recurrenceTimeZone'/,
        ],
        [
          {
            ...daily('2027-01-01', '06:00'),
            recurrence: {
              pattern: { type: 'daily' },
              range: { type: 'endDate', startDate: '2027-01-10', endDate: '2027-01-01' },
            },
          },
          /'schedule\.recurrence\.range\.endDate'/,
        ],
        [daily('2027-01-01', '25:00'), /'schedule\.timeOfDay'/],
        [daily('2027-01-01', '06:00', { catchUpWindow: '1 hour' }), /'schedule\.catchUpWindow'/],
        [
          { recurrence: daily('2027-01-01', '06:00').recurrence },
          /'schedule\.timeOfDay' is required/,
        ],
      ];
      for (const [schedule, message] of cases) {
        const response = await create(schedule);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.message).toMatch(message);
      }
    });

    it('ignores the computed members a client sends back, recomputes on change and filters by them', async () => {
      const created = (await create(daily('2027-01-01', '10:00'))).json();
      const sentBack = await app.patch(`${ENTITY_SET}/${created.id}`, {
        schedule: {
          ...created.schedule,
          timeOfDay: '11:00',
          nextRunDateTime: '2030-01-01T00:00:00Z',
        },
      });
      expect(sentBack.statusCode).toBe(200);
      expect(sentBack.json().schedule.nextRunDateTime).toBe('2027-01-04T11:00:00.000Z');
      const byNextRun = (at: string) =>
        app.get(`${ENTITY_SET}?$filter=schedule/nextRunDateTime eq ${at}&$select=id`);
      const ids = async (at: string) =>
        (await byNextRun(at)).json().value.map((o: { id: string }) => o.id);
      expect(await ids('2027-01-04T11:00:00Z')).toContain(created.id);
      const paused = await app.patch(`${ENTITY_SET}/${created.id}`, {
        schedule: { isPaused: true },
      });
      expect(paused.json().schedule).toMatchObject({
        isPaused: true,
        timeOfDay: '11:00:00',
        nextRunDateTime: null,
        upcomingRunDateTimes: [],
      });
      expect(await ids('2027-01-04T11:00:00Z')).not.toContain(created.id);
      const metadata = (await app.get('/beta/$metadata')).body;
      expect(metadata).toContain('<ComplexType Name="managedTenantOperationSchedule">');
      expect(metadata).toMatch(/<Property Name="timeOfDay" Type="Edm.TimeOfDay"/);
      expect(metadata).toMatch(/<Property Name="catchUpWindow" Type="Edm.Duration"/);
      expect(metadata).toMatch(
        /<Property Name="nextRunDateTime" Type="Edm.DateTimeOffset"[^>]*>\s*<Annotation Term="Core.Computed" Bool="true"\/>/,
      );
    });
  });

  describe('firing', () => {
    /** The operation's schedule fires at its next slot: the clock is moved to just before it. */
    async function fireNext(id: string): Promise<string> {
      const slot = (await read(id)).schedule.nextRunDateTime as string;
      clock.set(Date.parse(slot) - 200);
      return slot;
    }

    it('starts a run at the slot, once, and moves the schedule on', async () => {
      const id = (await create(daily('2027-01-01', '12:00'))).json().id;
      const slot = await fireNext(id);
      const runs = await eventually(
        () => runsOf(id),
        (r) => r.length === 1 && r[0].status !== 'running',
      );
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        runNumber: 1,
        trigger: 'schedule',
        tenantScope: 'allTargets',
        status: 'succeeded',
        scheduledDateTime: slot,
        initiatedByUserId: null,
      });
      const operation = await read(id);
      expect(operation.schedule.lastRunDateTime).toBe(slot);
      expect(Date.parse(operation.schedule.nextRunDateTime)).toBe(Date.parse(slot) + 86_400_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await runsOf(id)).toHaveLength(1);
    });

    it('does not fire while paused, and pauses itself when a scheduled run fails with pauseOnFailure', async () => {
      const paused = (await create(daily('2027-01-01', '13:00', { isPaused: true }))).json();
      expect(paused.schedule.nextRunDateTime).toBeNull();
      simulator.faultsOf(b).forbidden = true;
      try {
        const id = (
          await create(daily('2027-01-01', '13:00', { pauseOnFailure: true }), [b])
        ).json().id;
        await fireNext(id);
        const runs = await eventually(
          () => runsOf(id),
          (r) => r[0]?.status === 'failed',
        );
        expect(runs.map((run) => run.status)).toEqual(['failed']);
        const operation = await read(id);
        expect(operation.schedule).toMatchObject({ isPaused: true, nextRunDateTime: null });
        expect(await runsOf(paused.id)).toHaveLength(0);
      } finally {
        simulator.faultsOf(b).forbidden = false;
      }
    });
  });

  describe('with a refresh token', () => {
    it('runs on it at the slot, and a refused one fails each tenant saying what to renew', async () => {
      const revoked = 'revoked-refresh-token-of-a-schedule';
      noteSecret(revoked);
      simulator.revokedRefreshTokens.add(revoked);
      const scheduled = (refreshToken: string) =>
        app.post({
          ...runnableOperation('GET /v1.0/organization', [a, b]),
          credentials: { refreshToken },
          schedule: daily('2027-01-01', '17:00'),
        });
      const good = (await scheduled('a-refresh-token-of-a-schedule')).json().id;
      const refused = (await scheduled(revoked)).json().id;
      const slot = (await read(good)).schedule.nextRunDateTime as string;
      clock.set(Date.parse(slot) - 200);
      const ended = (id: string) =>
        eventually(
          () => runsOf(id),
          (r) => r.length === 1 && r[0].status !== 'running',
        );
      expect((await ended(good))[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
      expect((await ended(refused))[0]).toMatchObject({ trigger: 'schedule', status: 'failed' });
      const results = (await app.get(`${ENTITY_SET}/${refused}/results`)).json().value;
      expect(results).toHaveLength(2);
      for (const result of results) {
        expect(result.exception).toMatch(/Renew credentials\.refreshToken/);
        expect(result.exception).not.toContain(revoked);
      }
    });
  });

  describe('overlap', () => {
    let slow: RunningSimulator;
    let slowApp: TestApp;
    let slowClock: ShiftedClock;
    beforeAll(async () => {
      slow = await startSimulator({ tenants: 1, usersPerTenant: 1, latencyMs: 1_500 });
      slowClock = new ShiftedClock(MONDAY);
      slowApp = await TestApp.start(engineEnv(slow, { SCHEDULES_POLL_MS: '50' }), {
        clock: slowClock,
      });
    });
    afterAll(async () => {
      await slowApp?.dispose();
      await slow?.close();
    });

    /** An operation whose minutely-like schedule (every day at two times) overlaps its runs. */
    async function overlapping(
      policy: string,
    ): Promise<{ id: string; runs: () => Promise<any[]> }> {
      const body = {
        ...runnableOperation('GET /v1.0/organization', [slow.customerTenantIds[0]]),
        schedule: daily('2027-01-01', '14:00', { overlapPolicy: policy }),
      };
      const id = await createOperation(slowApp, body);
      const runs = async () =>
        (await slowApp.get(`${ENTITY_SET}/${id}/runs?$orderby=runNumber`)).json().value as any[];
      // The first slot starts a run of about 1.5 s; the test then moves a day on while it goes.
      const first = (await slowApp.get(`${ENTITY_SET}/${id}`)).json().schedule.nextRunDateTime;
      slowClock.set(Date.parse(first) - 100);
      await eventually(runs, (r) => r.length === 1);
      slowClock.set(Date.parse(first) + 86_400_000 - 100);
      return { id, runs };
    }

    it('skip: records the slot as a skipped run', async () => {
      const { id, runs } = await overlapping('skip');
      // The schedule may change while its run goes (it governs the slots to come).
      const changed = await slowApp.patch(`${ENTITY_SET}/${id}`, {
        schedule: { pauseOnFailure: true },
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().status).toBe('running');
      const all = await eventually(runs, (r) => r.length === 2);
      expect(all.map((run) => [run.runNumber, run.status])).toEqual([
        [1, 'running'],
        [2, 'skipped'],
      ]);
      expect(all[1].executionInfo).toMatch(/run 1 was still running/);
      const ended = await eventually(runs, (r) => r[0].status !== 'running');
      expect(ended[0].status).toBe('succeeded');
    });

    it('bufferOne: starts one run when the previous ends', async () => {
      const { runs } = await overlapping('bufferOne');
      const all = await eventually(runs, (r) => r.length === 2 && r[1].status !== 'running');
      expect(all.map((run) => [run.runNumber, run.status, run.trigger])).toEqual([
        [1, 'succeeded', 'schedule'],
        [2, 'succeeded', 'schedule'],
      ]);
      expect(Date.parse(all[1].startedDateTime)).toBeGreaterThanOrEqual(
        Date.parse(all[0].finishedDateTime),
      );
    });

    it('cancelOther: cancels the running one and starts', async () => {
      const { runs } = await overlapping('cancelOther');
      const all = await eventually(runs, (r) => r.length === 2 && r[1].status !== 'running');
      expect(all.map((run) => [run.runNumber, run.status])).toEqual([
        [1, 'cancelled'],
        [2, 'succeeded'],
      ]);
    });
  });

  describe('after a downtime', () => {
    it('catches up a slot within catchUpWindow once, and counts older ones as not run', async () => {
      const id = (await create(daily('2027-01-01', '15:00', { catchUpWindow: 'PT2H' }))).json().id;
      const first = (await read(id)).schedule.nextRunDateTime as string;
      clock.set(Date.parse(first) - 200);
      await eventually(
        () => runsOf(id),
        (r) => r.length === 1 && r[0].status !== 'running',
      );
      await app.stop();
      // Down over the next slot; back an hour after it: within the two-hour window.
      clock.set(Date.parse(first) + 86_400_000 + 3_600_000);
      app = await app.restartOnSameDatabase(
        engineEnv(simulator, { SCHEDULES_POLL_MS: '50' }),
        clock,
      );
      const caughtUp = await eventually(
        () => runsOf(id),
        (r) => r.length === 2 && r[1].status !== 'running',
      );
      expect(caughtUp[1]).toMatchObject({ trigger: 'catchUp', status: 'succeeded' });
      expect(Date.parse(caughtUp[1].scheduledDateTime)).toBe(Date.parse(first) + 86_400_000);
      await app.stop();
      // Down over the next two slots, back five hours after the later one: too late for both.
      clock.set(Date.parse(first) + 3 * 86_400_000 + 5 * 3_600_000);
      app = await app.restartOnSameDatabase(
        engineEnv(simulator, { SCHEDULES_POLL_MS: '50' }),
        clock,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await runsOf(id)).toHaveLength(2);
      const next = (await read(id)).schedule.nextRunDateTime as string;
      expect(Date.parse(next)).toBe(Date.parse(first) + 4 * 86_400_000);
      clock.set(Date.parse(next) - 200);
      const later = await eventually(
        () => runsOf(id),
        (r) => r.length === 3 && r[2].status !== 'running',
      );
      expect(later[2]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
      expect(later[2].executionInfo).toMatch(/2 earlier slots of the schedule did not run/);
    });
  });

  (ON_POSTGRES ? describe : describe.skip)('on two instances sharing PostgreSQL', () => {
    it('fires each slot exactly once', async () => {
      const second = await app.restartOnSameDatabase(
        engineEnv(simulator, { SCHEDULES_POLL_MS: '20' }),
        clock,
      );
      try {
        const ids: string[] = [];
        for (let i = 0; i < 10; i += 1)
          ids.push((await create(daily('2027-01-01', '16:00'))).json().id);
        await fireNext(ids[0]);
        for (const id of ids) {
          const runs = await eventually(
            () => runsOf(id),
            (r) => r.length >= 1 && r[0].status !== 'running',
          );
          expect(runs).toHaveLength(1);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const id of ids) expect(await runsOf(id)).toHaveLength(1);
      } finally {
        await second.stop();
      }
    });

    async function fireNext(id: string): Promise<void> {
      const slot = (await read(id)).schedule.nextRunDateTime as string;
      clock.set(Date.parse(slot) - 200);
    }
  });

  it('leaves an operation without a schedule to run when asked only', async () => {
    const created = await create(null);
    expect(created.statusCode).toBe(201);
    expect(created.json().schedule).toBeNull();
    // Set by PUT, removed by PUT without it.
    const body = runnableOperation('GET /v1.0/organization', [a]);
    const put = (schedule: unknown) =>
      app.inject({
        method: 'PUT',
        url: `${ENTITY_SET}/${created.json().id}`,
        payload: { ...body, schedule },
      });
    const set = await put(daily('2027-01-01', '23:00'));
    expect(set.statusCode).toBe(200);
    expect(set.json().schedule.nextRunDateTime).toMatch(/T23:00:00.000Z$/);
    const removed = await put(null);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().schedule).toBeNull();
  });

  // Last: the clock moves on to the daylight-saving days of 2027.
  it('fires at the instant the clocks jumped, and once on the repeated hour', async () => {
    const once = (date: string, zone: string, timeOfDay: string) => ({
      recurrence: {
        pattern: { type: 'daily' },
        range: { type: 'endDate', startDate: date, endDate: date, recurrenceTimeZone: zone },
      },
      timeOfDay,
    });
    const berlin = (await create(once('2027-03-28', 'Europe/Berlin', '02:30'))).json().id;
    const newYork = (await create(once('2027-11-07', 'America/New_York', '01:30'))).json().id;
    clock.set(Date.parse('2027-03-28T00:59:59.800Z'));
    const spring = await eventually(
      () => runsOf(berlin),
      (r) => r.length === 1,
    );
    expect(spring[0].scheduledDateTime).toBe('2027-03-28T01:00:00.000Z');
    expect(Date.parse(spring[0].startedDateTime)).toBeGreaterThanOrEqual(
      Date.parse('2027-03-28T01:00:00Z'),
    );
    clock.set(Date.parse('2027-11-07T05:29:59.800Z'));
    const autumn = await eventually(
      () => runsOf(newYork),
      (r) => r.length === 1,
    );
    expect(autumn[0].scheduledDateTime).toBe('2027-11-07T05:30:00.000Z');
    // An hour later the wall clock says 01:30 again: nothing more fires.
    clock.set(Date.parse('2027-11-07T06:30:00.500Z'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runsOf(newYork)).toHaveLength(1);
    expect((await read(newYork)).schedule.nextRunDateTime).toBeNull();
  });
});
