import { Inject, Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { OnJob } from '../jobs/job-handler';
import { RetentionJanitor } from '../jobs/retention-janitor';

/** How much older than the retention period a change is before it goes: clocks differ a little. */
const MAX_PURGE_MARGIN_MS = 5 * 60_000;

/**
 * Forgets changes and tombstones older than the retention period (DELTA_RETENTION_DAYS). A delta
 * token that old is refused anyway (410 syncStateNotFound), so nothing a client can still ask
 * for is lost.
 */
@Injectable()
@OnJob('changeFeedPurge')
export class ChangeFeedJanitor extends RetentionJanitor {
  constructor(
    private readonly feed: ChangeFeedStore,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {
    super({
      subject: 'changes',
      retentionMs: () => config.values.changes.retentionMs,
      purgesPerPeriod: 2,
      maxIntervalMs: 10 * 60_000,
    });
  }

  protected purgeBefore(cutoff: number): Promise<number> {
    const margin = Math.min(this.config.values.changes.retentionMs, MAX_PURGE_MARGIN_MS);
    return this.feed.purge(cutoff - margin);
  }
}
