import { Inject, Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AuditLogStore } from '../database/stores/audit-log.store';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { OnJob } from '../jobs/job-handler';
import { RetentionJanitor } from '../jobs/retention-janitor';

/** Forgets audit events older than AUDIT_RETENTION_DAYS. */
@Injectable()
@OnJob('auditLogPurge')
export class AuditLogJanitor extends RetentionJanitor {
  constructor(
    private readonly log: AuditLogStore,
    @Inject(AppConfigService) config: AppConfigService,
  ) {
    super({
      subject: 'audit events',
      retentionMs: () => config.values.audit.retentionMs,
      purgesPerPeriod: 10,
      maxIntervalMs: 60 * 60_000,
    });
  }

  protected purgeBefore(cutoff: number): Promise<number> {
    return this.log.purge(toUtcDateTimeOffset(new Date(cutoff)));
  }
}
