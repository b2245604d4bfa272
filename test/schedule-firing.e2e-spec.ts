import { metricOf } from './support/metrics';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { createOperation, engineEnv, runnableOperation, startSimulator } from './support/engine';
import { ShiftedClock } from './support/shifted-clock';
import { ENTITY_SET, TestApp } from './support/test-app';
import { ON_POSTGRES } from './support/test-database';
import { noteSecret } from './support/run-log';
import { daily, eventually, MONDAY } from './support/schedules';

/**
 * Schedules firing, end to end against the Graph stand-in, with a clock the test sets (real
 * timers, the calendar the test's), on the database the e2e run uses (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL). The clock only moves forward: the tests run in order.
 */
describe('schedules firing', () => {
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
      expect(await metricOf(app, 'mto_schedule_firings_total', { outcome: 'fired' })).toBe(1);
      expect(await metricOf(app, 'mto_schedule_firing_lag_seconds_count')).toBe(1);
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
      expect(await metricOf(slowApp, 'mto_schedule_firings_total', { outcome: 'skipped' })).toBe(1);
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
