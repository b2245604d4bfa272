import { Logger } from '@nestjs/common';
import { JobContext, JobHandler, JobSettings, StepOutcome } from './job-handler';

/** How a retention janitor paces itself and what it calls what it purges. */
export interface RetentionSchedule {
  /** Plural, for the log line: `changes`, `audit events`. */
  readonly subject: string;
  /** The retention period now (from the configuration). */
  readonly retentionMs: () => number;
  /** Purges per retention period (a purge every `retention / purgesPerPeriod`)... */
  readonly purgesPerPeriod: number;
  /** ...but never more than this apart, nor (after failures) further apart than this. */
  readonly maxIntervalMs: number;
}

/**
 * A job that forgets what is older than a retention period. Every instance purges (the DELETE is
 * idempotent, so two instances purging at once do no harm); a failure is the kernel's to log, and
 * the next poll, later, tries again. A subclass says what it purges.
 */
export abstract class RetentionJanitor implements JobHandler {
  private readonly logger = new Logger(this.constructor.name);

  protected constructor(private readonly schedule: RetentionSchedule) {}

  /** Forgets what was recorded before `cutoff` (epoch ms); how many went. */
  protected abstract purgeBefore(cutoff: number): Promise<number>;

  settings(): JobSettings {
    const { retentionMs, purgesPerPeriod, maxIntervalMs } = this.schedule;
    return {
      enabled: true,
      pollMs: Math.max(Math.min(retentionMs() / purgesPerPeriod, maxIntervalMs), 100),
      maxPollMs: maxIntervalMs,
      concurrency: 0,
    };
  }

  async step(job: JobContext): Promise<StepOutcome> {
    const count = await this.purgeBefore(job.clock.now() - this.schedule.retentionMs());
    if (count > 0) {
      this.logger.log(`Purged ${count} ${this.schedule.subject} older than the retention period`);
      job.report.completed(count);
    }
    return 'idle';
  }
}
