import { Logger } from '@nestjs/common';
import { Clock, ClockTimer } from './clock';
import { JobEvents, JobReport } from './job-events';
import { JobContext, JobHandler, JobSettings, StepReason } from './job-handler';
import { JobName } from './job-names';

/** A running task of a job, and how to stop it. */
interface Task {
  readonly controller: AbortController;
  done?: Promise<void>;
}

/** How much a reason asks of a step: a poll (or the start) implies what a wake does, and more. */
const WEIGHT: Record<StepReason, number> = { wake: 0, poll: 1, start: 2 };
/** Without a ceiling, back-off stops doubling after this many polls. */
const DEFAULT_BACKOFF_FACTOR = 32;

/**
 * One job's loop on the kernel: its steps (one at a time; wakes coalesce), its poll with back-off
 * after failures, its tasks within the concurrency, its side duties, and its shutdown. Every
 * failure is caught here, logged and reported: one job's failure never reaches another.
 */
export class JobLoop implements JobContext {
  readonly report: JobReport;
  private readonly logger: Logger;
  private readonly settings: JobSettings;
  private readonly tasks = new Set<Task>();
  private readonly duties = new Map<string, ClockTimer>();
  private stepping?: Promise<void>;
  /** A step is due (set while one waits for its turn, or while one runs). */
  private due?: StepReason;
  private dueScheduled = false;
  private pollTimer?: ClockTimer;
  private failures = 0;
  private stopped = false;

  constructor(
    readonly name: JobName,
    private readonly handler: JobHandler,
    readonly workerId: string,
    readonly clock: Clock,
    private readonly events: JobEvents,
  ) {
    this.settings = handler.settings();
    this.report = events.reportFor(name);
    this.logger = new Logger(handler.constructor.name);
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  get stopping(): boolean {
    return this.stopped;
  }

  get tasksInFlight(): number {
    return this.tasks.size;
  }

  get freeSlots(): number {
    return this.stopped ? 0 : Math.max(0, this.settings.concurrency - this.tasks.size);
  }

  /** Starts the job: its `start`, then a first step. A failing `start` fails the service's start. */
  async begin(): Promise<void> {
    if (!this.settings.enabled) return;
    await this.handler.start?.(this);
    this.request('start');
  }

  wake(): void {
    this.request('wake');
  }

  run(task: (signal: AbortSignal) => Promise<void>): boolean {
    if (this.freeSlots === 0) return false;
    const entry: Task = { controller: new AbortController() };
    this.tasks.add(entry);
    entry.done = Promise.resolve()
      .then(() => task(entry.controller.signal))
      .catch((error: unknown) => this.failed('A task', error))
      .finally(() => {
        this.tasks.delete(entry);
        if (!this.stopped) this.handler.slotFreed?.(this);
      });
    return true;
  }

  every(duty: string, ms: number, work: () => unknown): void {
    const arm = () => {
      if (this.stopped) return;
      this.duties.set(
        duty,
        this.clock.setTimeout(() => {
          Promise.resolve()
            .then(work)
            .catch((error: unknown) => this.failed(`Its ${duty}`, error))
            .finally(arm);
        }, ms),
      );
    };
    this.clock.clearTimeout(this.duties.get(duty));
    arm();
  }

  /**
   * Stops the job: no more steps, polls or duties; the step under way ends; tasks get `graceMs`
   * to finish, then their signals abort and they get until the deadline; then `stop`.
   */
  async shutdown(graceMs: number, deadlineMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.pollTimer);
    for (const timer of this.duties.values()) this.clock.clearTimeout(timer);
    if (!this.settings.enabled) return;
    const deadline = this.clock.now() + deadlineMs;
    await this.within(this.stepping, deadline);
    await this.within(this.tasksDone(), Math.min(deadline, this.clock.now() + graceMs));
    for (const task of this.tasks) task.controller.abort();
    await this.within(this.tasksDone(), deadline);
    try {
      await this.handler.stop?.(this);
    } catch (error) {
      this.failed('Stopping', error);
    }
  }

  private request(reason: StepReason): void {
    if (this.stopped || !this.settings.enabled) return;
    if (this.due === undefined || WEIGHT[reason] > WEIGHT[this.due]) this.due = reason;
    if (this.stepping || this.dueScheduled) return;
    this.dueScheduled = true;
    // The next turn of the event loop, not a timer: no time passes, wakes in one turn coalesce.
    setImmediate(() => {
      this.dueScheduled = false;
      this.step();
    });
  }

  private step(): void {
    const reason = this.due;
    if (reason === undefined || this.stopped || this.stepping) return;
    this.due = undefined;
    const started = this.clock.now();
    this.stepping = this.handler
      .step(this, reason)
      .then((outcome) => {
        this.failures = 0;
        if (outcome === 'more') this.request('wake');
      })
      .catch((error: unknown) => {
        this.failures += 1;
        this.failed('A step', error);
      })
      .finally(() => {
        this.stepping = undefined;
        this.events.stepped(this.name, this.clock.now() - started);
        if (reason !== 'wake') this.armPoll();
        if (this.due !== undefined) this.request(this.due);
      });
  }

  /** The next poll: the poll interval, doubled per failed step in a row, up to the ceiling. */
  private armPoll(): void {
    if (this.stopped) return;
    const { pollMs, maxPollMs } = this.settings;
    const ceiling = maxPollMs ?? pollMs * DEFAULT_BACKOFF_FACTOR;
    const delay = Math.min(pollMs * 2 ** this.failures, Math.max(ceiling, pollMs));
    this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = this.clock.setTimeout(() => this.request('poll'), delay);
  }

  private failed(what: string, error: unknown): void {
    this.logger.error(
      `${what} of the job ${this.name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    this.report.failed(error);
  }

  private tasksDone(): Promise<unknown> {
    return Promise.allSettled([...this.tasks].map((task) => task.done));
  }

  /** Waits for `work`, but not past `deadline` (on the job's clock). */
  private async within(work: Promise<unknown> | undefined, deadline: number): Promise<void> {
    if (!work) return;
    let timer: ClockTimer | undefined;
    const late = new Promise<void>((done) => {
      timer = this.clock.setTimeout(done, Math.max(0, deadline - this.clock.now()));
    });
    await Promise.race([work.then(noop, noop), late]);
    this.clock.clearTimeout(timer);
  }
}

function noop(): void {}
