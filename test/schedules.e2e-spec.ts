import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { engineEnv, runnableOperation, startSimulator } from './support/engine';
import { ShiftedClock } from './support/shifted-clock';
import { ENTITY_SET, TestApp } from './support/test-app';
import { daily, MONDAY } from './support/schedules';

/**
 * Schedules as clients write them, against the Graph stand-in, with a clock the test sets (the
 * calendar the test's), on the database the e2e run uses (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL). Their firing: schedule-firing.e2e-spec.ts.
 */
describe('schedules', () => {
  let simulator: RunningSimulator;
  let clock: ShiftedClock;
  let app: TestApp;
  let a: string;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    [a] = simulator.customerTenantIds;
    clock = new ShiftedClock(MONDAY);
    app = await TestApp.start(engineEnv(simulator, { SCHEDULES_POLL_MS: '50' }), { clock });
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const create = (schedule: unknown, tenants: string[] = [a]) =>
    app.post({ ...runnableOperation('GET /v1.0/organization', tenants), schedule });

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
});
