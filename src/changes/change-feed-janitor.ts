import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';

/** The longest wait between two purges. */
const MAX_PURGE_INTERVAL_MS = 10 * 60_000;
/** How much older than the retention period a change is before it goes: clocks differ a little. */
const MAX_PURGE_MARGIN_MS = 5 * 60_000;

/**
 * Forgets changes and tombstones older than the retention period (DELTA_RETENTION_DAYS). A delta
 * token that old is refused anyway (410 syncStateNotFound), so nothing a client can still ask
 * for is lost. Every instance purges; the DELETE is idempotent.
 */
@Injectable()
@OnJob('changeFeedPurge')
export class ChangeFeedJanitor implements JobHandler {
  private readonly logger = new Logger(ChangeFeedJanitor.name);

  constructor(
    private readonly feed: ChangeFeedStore,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {}

  settings(): JobSettings {
    const retention = this.config.values.changes.retentionMs;
    return {
      enabled: true,
      pollMs: Math.max(Math.min(retention / 2, MAX_PURGE_INTERVAL_MS), 100),
      maxPollMs: MAX_PURGE_INTERVAL_MS,
      concurrency: 0,
    };
  }

  /** One purge (a failure is the kernel's to log; the next poll tries again, later). */
  async step(job: JobContext): Promise<StepOutcome> {
    const retention = this.config.values.changes.retentionMs;
    const before = job.clock.now() - retention - Math.min(retention, MAX_PURGE_MARGIN_MS);
    const count = await this.feed.purge(before);
    if (count > 0) {
      this.logger.log(`Purged ${count} changes older than the retention period`);
      job.report.completed(count);
    }
    return 'idle';
  }
}
