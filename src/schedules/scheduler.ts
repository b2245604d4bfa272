import { Tracing } from '../observability/tracing';
import { ServiceMetrics } from '../observability/service-metrics';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceError, StateConflictError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { EntityStore } from '../database/stores/entity.store';
import { RunHistoryStore } from '../database/stores/run-history.store';
import { RunQueueStore, RunStart } from '../database/stores/run-queue.store';
import { DueSchedule, ScheduleStore } from '../database/stores/schedule.store';
import { Entity } from '../edm/entity';
import { managedTenantOperation, ManagedTenantOperationProperties } from '../edm/model';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';
import { OperationRunsService } from '../operation-runs/operation-runs.service';
import { RunWorker } from '../operation-runs/run-worker';
import { planOf, SchedulePlan, scheduleFrom, ScheduleValue, slotsBetween } from './schedule-plan';

type Operation = Entity<ManagedTenantOperationProperties>;

/** Due schedules read at once. */
const DUE_PER_READ = 200;
/** Slots fired at once (each is a few reads and a transaction). */
const FIRES_AT_ONCE = 8;

/** The slot is no longer the schedule's next: another instance took it, or a client changed it. */
class SlotTaken extends Error {}

/**
 * Fires schedules: each step finds the schedules whose next slot has come and, for each, starts
 * its run (or records why not) in the transaction that moves the schedule past the slot, so that
 * a slot fires once whatever the number of instances and whatever dies when. A slot that passed
 * before this instance started (no instance was up) runs late as `catchUp` if it is within the
 * schedule's catchUpWindow, and is otherwise left out (counted in the next run's executionInfo).
 * While a run goes, a slot follows the overlap policy: `skip` records a skipped run, `bufferOne`
 * waits for the run to end, `cancelOther` cancels it and then runs.
 */
@Injectable()
@OnJob('schedules')
export class Scheduler implements JobHandler {
  private readonly logger = new Logger(Scheduler.name);
  /** When this instance began firing: slots before it passed while it was down. */
  private startedAt = 0;

  constructor(
    private readonly schedules: ScheduleStore,
    @Inject(entityStoreToken(managedTenantOperation))
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly queue: RunQueueStore,
    private readonly history: RunHistoryStore,
    private readonly runs: OperationRunsService,
    private readonly worker: RunWorker,
    @Inject(AppConfigService) private readonly config: AppConfigService,
    private readonly metrics: ServiceMetrics,
    private readonly tracing: Tracing,
  ) {}

  settings(): JobSettings {
    const { enabled, pollMs } = this.config.values.schedules;
    return { enabled, pollMs, maxPollMs: Math.max(pollMs, 30_000), concurrency: 0 };
  }

  start(job: JobContext): void {
    this.startedAt = job.clock.now();
  }

  async step(job: JobContext): Promise<StepOutcome> {
    const now = job.clock.now();
    const nowText = toUtcDateTimeOffset(new Date(now));
    let after: DueSchedule | undefined;
    for (;;) {
      if (job.stopping) return 'idle';
      const due = await this.schedules.due(nowText, after, DUE_PER_READ);
      // Instances sharing a database take the page in different orders, so that they mostly
      // fire different slots instead of racing for the same ones.
      const queue = shuffled(due);
      const fireNext = async (): Promise<void> => {
        for (let schedule = queue.pop(); schedule; schedule = queue.pop()) {
          try {
            const fired = await this.tracing.inSpan(
              'schedule firing',
              {
                attributes: {
                  'mto.partner_tenant.id': schedule.partnerTenantId,
                  'mto.operation.id': schedule.operationId,
                },
              },
              () => this.fire(schedule, now),
            );
            if (fired) job.report.completed(1);
          } catch (error) {
            // One schedule's failure never holds up the others; it is tried again next step.
            job.report.failed(1);
            this.logger.error(
              `Schedule of operation ${schedule.operationId} at ${schedule.dueAt}: ${describe(error)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: FIRES_AT_ONCE }, fireNext));
      if (due.length < DUE_PER_READ) break;
      after = due[due.length - 1];
    }
    return 'idle';
  }

  /** Fires one due slot; `true` if a run started or a slot was recorded skipped. */
  private async fire(due: DueSchedule, now: number): Promise<boolean> {
    const scope = { tenantId: due.partnerTenantId };
    const operation = await this.operations.findById(scope, due.operationId);
    const schedule = operation?.properties.schedule;
    if (!operation || !schedule || schedule.isPaused || schedule.nextRunDateTime !== due.dueAt) {
      return false;
    }
    const plan = planOf(schedule);
    const slot = Date.parse(due.dueAt);
    const passed = [slot, ...slotsBetween(plan, slot, now)];
    const latest = passed[passed.length - 1];
    const late = latest < this.startedAt;
    if (late && now - latest > plan.catchUpWindowMs) {
      // Every slot that passed is too late: the schedule moves on to the slots to come.
      await this.claim(operation, due, () =>
        scheduleFrom(schedule, plan, now, schedule.lastRunDateTime ?? null),
      );
      return false;
    }
    const key = { partnerTenantId: due.partnerTenantId, operationId: due.operationId };
    const start: RunStart = {
      trigger: late ? 'catchUp' : 'schedule',
      initiatedByUserId: null,
      initiatedByAppId: null,
      scheduledAt: latest,
      note: missedNote(plan, schedule, latest),
    };
    const current = await this.queue.find(key);
    if (current && current.state !== 'finished') {
      return this.overlap(operation, due, schedule, plan, start, current.run, now);
    }
    const advanced = (): ScheduleValue =>
      scheduleFrom(schedule, plan, now, toUtcDateTimeOffset(new Date(latest)));
    try {
      await this.runs.runScheduled(
        due.partnerTenantId,
        operation,
        start,
        (stored) => {
          requireSlot(stored, due, operation);
          return advanced();
        },
        { previous: current },
      );
      this.metrics.scheduleFired(now - latest);
      return true;
    } catch (error) {
      if (error instanceof SlotTaken) return false;
      // A run began meanwhile (a client's, or another instance's): the next step sees it.
      if (error instanceof StateConflictError) return false;
      if (error instanceof ServiceError) {
        // The operation cannot run as it is (no target, statements that no longer parse): the
        // slot is recorded as not run, so that the schedule moves on instead of failing forever.
        return this.recordNotRun(operation, due, schedule, plan, start, now, error.message);
      }
      throw error;
    }
  }

  /** A slot that came while the previous run still goes, by the schedule's overlap policy. */
  private async overlap(
    operation: Operation,
    due: DueSchedule,
    schedule: ScheduleValue,
    plan: SchedulePlan,
    start: RunStart,
    running: number,
    now: number,
  ): Promise<boolean> {
    const key = { partnerTenantId: due.partnerTenantId, operationId: due.operationId };
    switch (plan.overlapPolicy) {
      case 'bufferOne':
        // The slot stays due: it runs when the run ends (one run, however many slots pass).
        return false;
      case 'cancelOther':
        if (await this.queue.stop(key, 'cancelled')) {
          this.worker.stopRun(key);
          this.worker.wake();
        }
        return false;
      case 'skip':
        return this.recordNotRun(
          operation,
          due,
          schedule,
          plan,
          start,
          now,
          `Skipped: run ${running} was still running (overlapPolicy skip).`,
        );
    }
  }

  /** Moves the schedule past the slot and records the slot's run as skipped, saying why. */
  private async recordNotRun(
    operation: Operation,
    due: DueSchedule,
    schedule: ScheduleValue,
    plan: SchedulePlan,
    start: RunStart,
    now: number,
    why: string,
  ): Promise<boolean> {
    const slotText = toUtcDateTimeOffset(new Date(start.scheduledAt ?? now));
    const claimed = await this.claim(operation, due, () =>
      scheduleFrom(schedule, plan, now, slotText),
    );
    if (!claimed) return false;
    const key = { partnerTenantId: due.partnerTenantId, operationId: due.operationId };
    await this.history.recordSkipped(key, start, now, [why, start.note].filter(Boolean).join(' '));
    this.metrics.scheduleSkipped();
    return true;
  }

  /** Moves the schedule past its due slot, unless another instance or a client did first. */
  private async claim(
    operation: Operation,
    due: DueSchedule,
    next: () => ScheduleValue,
  ): Promise<boolean> {
    try {
      const updated = await this.operations.update(
        { tenantId: due.partnerTenantId },
        due.operationId,
        (current) => {
          requireSlot(current, due, operation);
          return { ...current, properties: { ...current.properties, schedule: next() } };
        },
      );
      return updated !== undefined;
    } catch (error) {
      if (error instanceof SlotTaken) return false;
      throw error;
    }
  }
}

/**
 * The operation as the slot's run starts must be the one read, its schedule still at the slot:
 * otherwise another instance fired it, or a client changed what would run.
 */
function requireSlot(current: Operation, due: DueSchedule, read: Operation): void {
  const schedule = current.properties.schedule;
  if (
    current.lastModifiedDateTime !== read.lastModifiedDateTime ||
    !schedule ||
    schedule.isPaused ||
    schedule.nextRunDateTime !== due.dueAt
  ) {
    throw new SlotTaken();
  }
}

/** What a run says of the slots since the last scheduled run that did not run, if any. */
function missedNote(plan: SchedulePlan, schedule: ScheduleValue, slot: number): string | undefined {
  const last = schedule.lastRunDateTime ? Date.parse(schedule.lastRunDateTime) : undefined;
  if (last === undefined) return undefined;
  const missed = slotsBetween(plan, last, slot - 1).length;
  if (missed === 0) return undefined;
  return `${missed} earlier slot${missed === 1 ? '' : 's'} of the schedule did not run (no instance was up within catchUpWindow, or they passed while a run went).`;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
