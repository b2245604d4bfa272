import { Logger } from '@nestjs/common';
import { JobEvents } from './job-events';
import { JobContext, JobHandler, JobSettings, StepOutcome, StepReason } from './job-handler';
import { JobLoop } from './job-loop';
import { ManualClock, settle } from './manual-clock';

/** A handler whose steps and stop are recorded, and whose next steps fail or hang on demand. */
class RecordingHandler implements JobHandler {
  readonly steps: Array<{ reason: StepReason; at: number }> = [];
  failNext = 0;
  hold?: Promise<void>;
  outcome: StepOutcome = 'idle';
  slotsFreed = 0;
  stopped = false;
  started?: JobContext;

  constructor(private readonly values: Partial<JobSettings> = {}) {}

  settings(): JobSettings {
    return { enabled: true, pollMs: 1_000, concurrency: 2, ...this.values };
  }

  start(job: JobContext): void {
    this.started = job;
  }

  async step(job: JobContext, reason: StepReason): Promise<StepOutcome> {
    this.steps.push({ reason, at: job.clock.now() });
    if (this.hold) await this.hold;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('the database is away');
    }
    const outcome = this.outcome;
    this.outcome = 'idle';
    return outcome;
  }

  slotFreed(): void {
    this.slotsFreed += 1;
  }

  stop(): void {
    this.stopped = true;
  }
}

function loopOf(handler: JobHandler, clock: ManualClock, events = new JobEvents()): JobLoop {
  return new JobLoop('changeFeedPurge', handler, 'host:1:abcd', clock, events);
}

describe('JobLoop', () => {
  // The loop logs what fails; these tests fail things on purpose.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('steps at start, then once per poll interval while nothing wakes it', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler();
    const loop = loopOf(handler, clock);
    const start = clock.now();
    await loop.begin();
    await clock.advance(3_500);
    expect(handler.steps).toEqual([
      { reason: 'start', at: start },
      { reason: 'poll', at: start + 1_000 },
      { reason: 'poll', at: start + 2_000 },
      { reason: 'poll', at: start + 3_000 },
    ]);
    expect(handler.started?.workerId).toBe('host:1:abcd');
    await loop.shutdown(100, 200);
  });

  it('coalesces wakes: many during a step make one more step after it', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler();
    const loop = loopOf(handler, clock);
    await loop.begin();
    await settle();
    let release!: () => void;
    handler.hold = new Promise((done) => (release = done));
    loop.wake();
    await settle();
    loop.wake();
    loop.wake();
    loop.wake();
    handler.hold = undefined;
    release();
    await settle();
    expect(handler.steps.map((step) => step.reason)).toEqual(['start', 'wake', 'wake']);
    await loop.shutdown(100, 200);
  });

  it('steps again at once when a step says there is more, without waiting for the poll', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler();
    handler.outcome = 'more';
    const loop = loopOf(handler, clock);
    await loop.begin();
    await settle();
    expect(handler.steps.map((step) => step.reason)).toEqual(['start', 'wake']);
    expect(clock.now()).toBe(handler.steps[1].at);
    await loop.shutdown(100, 200);
  });

  it('backs off after failed steps (doubling up to the ceiling), reports them, and recovers', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler({ pollMs: 1_000, maxPollMs: 4_000 });
    const events = new JobEvents();
    const failures: unknown[] = [];
    events.observe({ failed: (job, error) => failures.push([job, (error as Error).message]) });
    const loop = loopOf(handler, clock, events);
    handler.failNext = 4;
    const start = clock.now();
    await loop.begin();
    await clock.advance(20_000);
    const at = handler.steps.map((step) => step.at - start);
    // Failures at 0, 2 s, 6 s (4 s later), 10 s (ceiling); then success and the plain interval.
    expect(at.slice(0, 7)).toEqual([0, 2_000, 6_000, 10_000, 14_000, 15_000, 16_000]);
    expect(failures).toHaveLength(4);
    expect(failures[0]).toEqual(['changeFeedPurge', 'the database is away']);
    await loop.shutdown(100, 200);
  });

  it('runs at most `concurrency` tasks, isolates their failures, and says when a slot frees', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler({ concurrency: 2 });
    const events = new JobEvents();
    const failures: unknown[] = [];
    events.observe({ failed: (_job, error) => failures.push(error) });
    const loop = loopOf(handler, clock, events);
    await loop.begin();
    let finish!: () => void;
    const finished = new Promise<void>((done) => (finish = done));
    expect(loop.run(() => finished)).toBe(true);
    expect(loop.run(() => Promise.reject(new Error('one tenant failed')))).toBe(true);
    expect(loop.freeSlots).toBe(0);
    expect(loop.run(() => Promise.resolve())).toBe(false);
    await settle();
    expect(failures.map((error) => (error as Error).message)).toEqual(['one tenant failed']);
    expect(loop.tasksInFlight).toBe(1);
    expect(handler.slotsFreed).toBe(1);
    finish();
    await settle();
    expect(loop.freeSlots).toBe(2);
    expect(handler.slotsFreed).toBe(2);
    // The loop goes on stepping after its task failed.
    await clock.advance(1_000);
    expect(handler.steps.map((step) => step.reason)).toEqual(['start', 'poll']);
    await loop.shutdown(100, 200);
  });

  it('runs side duties on their interval; a failing duty is reported and runs again', async () => {
    const clock = new ManualClock();
    const events = new JobEvents();
    const failures: unknown[] = [];
    events.observe({ failed: (_job, error) => failures.push(error) });
    const loop = loopOf(new RecordingHandler(), clock, events);
    await loop.begin();
    let runs = 0;
    loop.every('lease renewal', 300, () => {
      runs += 1;
      if (runs === 2) throw new Error('renewal failed');
    });
    await clock.advance(1_000);
    expect(runs).toBe(3);
    expect(failures).toHaveLength(1);
    await loop.shutdown(100, 200);
    await clock.advance(1_000);
    expect(runs).toBe(3);
  });

  it('one loop failing every step does not stop another', async () => {
    const clock = new ManualClock();
    const failing = new RecordingHandler();
    failing.failNext = Number.MAX_SAFE_INTEGER;
    const healthy = new RecordingHandler();
    const loops = [loopOf(failing, clock), loopOf(healthy, clock)];
    for (const loop of loops) await loop.begin();
    await clock.advance(5_000);
    expect(healthy.steps).toHaveLength(6);
    expect(failing.steps.length).toBeGreaterThan(1);
    for (const loop of loops) await loop.shutdown(100, 200);
  });

  it('shuts down within its deadline: tasks get the grace, then their signals abort, then stop', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler();
    const loop = loopOf(handler, clock);
    await loop.begin();
    await settle();
    let abortedAt: number | undefined;
    // A task that ends only when aborted, and one that ignores its signal altogether.
    loop.run(
      (signal) =>
        new Promise<void>((done) =>
          signal.addEventListener('abort', () => {
            abortedAt = clock.now();
            done();
          }),
        ),
    );
    loop.run(() => new Promise<void>(() => undefined));
    const start = clock.now();
    let stopped = false;
    const stopping = loop.shutdown(1_000, 3_000).then(() => (stopped = true));
    expect(loop.stopping).toBe(true);
    expect(loop.run(() => Promise.resolve())).toBe(false);
    await clock.advance(999);
    expect(abortedAt).toBeUndefined();
    await clock.advance(1);
    expect(abortedAt).toBe(start + 1_000);
    expect(stopped).toBe(false);
    await clock.advance(2_000);
    await stopping;
    expect(stopped).toBe(true);
    expect(handler.stopped).toBe(true);
    // No poll after shutdown.
    const steps = handler.steps.length;
    await clock.advance(10_000);
    expect(handler.steps).toHaveLength(steps);
  });

  it('never steps a job that is off', async () => {
    const clock = new ManualClock();
    const handler = new RecordingHandler({ enabled: false });
    const loop = loopOf(handler, clock);
    await loop.begin();
    loop.wake();
    await clock.advance(5_000);
    expect(handler.steps).toHaveLength(0);
    expect(handler.started).toBeUndefined();
    await loop.shutdown(100, 200);
  });
});
