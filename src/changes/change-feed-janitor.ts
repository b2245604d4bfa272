import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ChangeFeedStore } from '../database/stores/change-feed.store';

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
export class ChangeFeedJanitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChangeFeedJanitor.name);
  private timer?: NodeJS.Timeout;
  private purging?: Promise<void>;

  constructor(
    private readonly feed: ChangeFeedStore,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const retention = this.config.values.changes.retentionMs;
    const interval = Math.max(Math.min(retention / 2, MAX_PURGE_INTERVAL_MS), 100);
    this.timer = setInterval(() => void this.purge(), interval);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.purging;
  }

  /** One purge; a failure is logged and tried again at the next tick. */
  purge(): Promise<void> {
    if (this.purging) return this.purging;
    const retention = this.config.values.changes.retentionMs;
    const before = Date.now() - retention - Math.min(retention, MAX_PURGE_MARGIN_MS);
    this.purging = this.feed
      .purge(before)
      .then((count) => {
        if (count > 0) this.logger.log(`Purged ${count} changes older than the retention period`);
      })
      .catch((error: unknown) =>
        this.logger.warn(`Purging old changes failed: ${(error as Error).message}`),
      )
      .finally(() => (this.purging = undefined));
    return this.purging;
  }
}
