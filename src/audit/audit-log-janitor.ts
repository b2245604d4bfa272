import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AuditLogStore } from '../database/stores/audit-log.store';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';

/** The longest wait between two purges. */
const MAX_PURGE_INTERVAL_MS = 60 * 60_000;

/**
 * Forgets audit events older than AUDIT_RETENTION_DAYS. Every instance purges; the DELETE is
 * idempotent.
 */
@Injectable()
@OnJob('auditLogPurge')
export class AuditLogJanitor implements JobHandler {
  private readonly logger = new Logger(AuditLogJanitor.name);

  constructor(
    private readonly log: AuditLogStore,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {}

  settings(): JobSettings {
    const retention = this.config.values.audit.retentionMs;
    return {
      enabled: true,
      pollMs: Math.max(Math.min(retention / 10, MAX_PURGE_INTERVAL_MS), 100),
      maxPollMs: MAX_PURGE_INTERVAL_MS,
      concurrency: 0,
    };
  }

  async step(job: JobContext): Promise<StepOutcome> {
    const before = toUtcDateTimeOffset(
      new Date(job.clock.now() - this.config.values.audit.retentionMs),
    );
    const count = await this.log.purge(before);
    if (count > 0) {
      this.logger.log(`Purged ${count} audit events older than the retention period`);
      job.report.completed(count);
    }
    return 'idle';
  }
}
