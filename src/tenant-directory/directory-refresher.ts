import { Inject, Injectable, Logger } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { InvalidRequestError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import {
  ClaimedRefresh,
  DirectoryCredentials,
  TenantDirectoryStore,
} from '../database/stores/tenant-directory.store';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';
import { WORKER_ID } from '../jobs/worker-identity';
import { CLOCK, Clock } from '../jobs/clock';
import { AuditTrail } from '../audit/audit-trail';
import { AtomicWork } from '../database/atomic-work';
import { managedTenantOperation, tenant } from '../edm/model';
import { TenantDirectory } from './tenant-directory.service';

/** Directories refreshed at once by one instance. */
const CONCURRENT_REFRESHES = 2;
/** How long a claimed refresh is this instance's before another may take it over. */
const LEASE_MS = 10 * 60_000;

/**
 * The `tenantDirectory` job: refreshes the directories that are due (asked for, or due by
 * themselves every DIRECTORY_REFRESH_HOURS for a partner whose kept refresh token allows it),
 * each under a lease, so that one instance refreshes a directory at a time and a refresh whose
 * instance died is taken over when its lease ends.
 */
@Injectable()
@OnJob('tenantDirectory')
export class DirectoryRefresher implements JobHandler {
  private readonly logger = new Logger(DirectoryRefresher.name);
  private job?: JobContext;

  constructor(
    private readonly store: TenantDirectoryStore,
    private readonly directory: TenantDirectory,
    @Inject(AppConfigService) private readonly config: AppConfigService,
    @Inject(WORKER_ID) private readonly owner: string,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditTrail,
    private readonly atomicWork: AtomicWork,
  ) {}

  settings(): JobSettings {
    const pollMs = this.config.values.directory.pollMs;
    return {
      enabled: true,
      pollMs,
      maxPollMs: Math.max(pollMs, 60_000),
      concurrency: CONCURRENT_REFRESHES,
    };
  }

  start(job: JobContext): void {
    this.job = job;
  }

  /**
   * Keeps a refresh of the caller's directory, due at once, and looks for it: the parameters'
   * `credentials` as an operation's (a dapAccessToken, or a refreshToken kept for the refreshes
   * after).
   */
  async request(caller: Caller, parameters: Readonly<Record<string, unknown>>): Promise<void> {
    const credentials = credentialsOf(parameters);
    const audited = await this.audit.prepare(caller, {
      partnerTenantId: caller.tenantId,
      activity: `${tenant.entitySetName}.refresh`,
      category: tenant.entitySetName,
      body: parameters,
      // The parameters' credentials are an operation's: redacted as the operation's are.
      bodyType: managedTenantOperation,
    });
    await this.atomicWork.run(async () => {
      await this.store.request(caller.tenantId, credentials, caller.userId, this.clock.now());
      await audited.write();
      return { result: undefined, commit: true };
    });
    this.job?.wake();
  }

  async step(job: JobContext): Promise<StepOutcome> {
    if (job.freeSlots === 0) return 'idle';
    const now = job.clock.now();
    const claimed = await this.store.claimDue(this.owner, now, now + LEASE_MS, job.freeSlots);
    for (const claim of claimed) job.run(() => this.refresh(claim));
    return 'idle';
  }

  slotFreed(job: JobContext): void {
    job.wake();
  }

  private async refresh(claim: ClaimedRefresh): Promise<void> {
    const outcome = await this.directory.refresh(claim);
    // A refresh nobody asked for just now (the kept refresh token's) is the job's own activity.
    const audited = claim.dueByItself
      ? await this.audit.prepare(undefined, {
          partnerTenantId: claim.partnerTenantId,
          activity: `${tenant.entitySetName}.refresh`,
          category: tenant.entitySetName,
          body: outcome.counts ?? { error: outcome.error },
        })
      : undefined;
    await this.atomicWork.run(async () => {
      const finished = await this.store.finish(claim, this.owner, outcome);
      if (finished) await audited?.write();
      return { result: undefined, commit: true };
    });
    if (outcome.error) {
      this.logger.warn(
        `The directory of partner ${claim.partnerTenantId} was not refreshed: ${outcome.error}`,
      );
    } else if (outcome.counts) {
      const { added, changed, gone } = outcome.counts;
      this.logger.log(
        `Refreshed the directory of partner ${claim.partnerTenantId}: ${added} added, ${changed} changed, ${gone} no longer listed`,
      );
      this.job?.report.completed(1);
    }
  }
}

/** The `credentials` of a refresh's (validated) parameters: one token at least. */
function credentialsOf(parameters: Readonly<Record<string, unknown>>): DirectoryCredentials {
  const { dapAccessToken, refreshToken } = (parameters.credentials ?? {}) as {
    dapAccessToken?: string | null;
    refreshToken?: string | null;
  };
  if (!dapAccessToken && !refreshToken) {
    throw new InvalidRequestError(
      "'credentials' must carry a dapAccessToken or a refreshToken to read the partner's contracts with.",
    );
  }
  return { dapAccessToken: dapAccessToken ?? undefined, refreshToken: refreshToken ?? undefined };
}
