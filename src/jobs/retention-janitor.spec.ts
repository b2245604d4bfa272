import { randomUUID } from 'node:crypto';
import { AuditLogJanitor } from '../audit/audit-log-janitor';
import { ChangeFeedJanitor } from '../changes/change-feed-janitor';
import { AppConfigService } from '../config/app-config.service';
import { AuditLogStore } from '../database/stores/audit-log.store';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { EngineStores, PARTNER } from '../../test/support/engine-stores';
import { JobEvents } from './job-events';
import { JobHandler } from './job-handler';
import { JobLoop } from './job-loop';
import { JobName } from './job-names';

const HOUR = 3_600_000;

describe('Retention janitors (a real SQLite store, a manual clock)', () => {
  let stores: EngineStores;
  let config: AppConfigService;

  beforeEach(async () => {
    stores = await EngineStores.open();
    config = stores.get(AppConfigService);
  });
  afterEach(() => stores.close());

  /** One step of `handler` as the kernel takes it, at the stores' clock; what it reported. */
  async function step(name: JobName, handler: JobHandler): Promise<number> {
    let completed = 0;
    const events = new JobEvents();
    events.observe({ completed: (_job, count) => (completed += count) });
    await handler.step(new JobLoop(name, handler, 'host:1:test', stores.clock, events), 'poll');
    return completed;
  }

  const count = async (table: string) =>
    Number(
      (
        (await stores.dataSource.query(`SELECT COUNT(*) AS n FROM "${table}"`)) as [{ n: number }]
      )[0].n,
    );

  it('forgets audit events older than the retention period, and only those', async () => {
    const retention = config.values.audit.retentionMs;
    const log = stores.get(AuditLogStore);
    const now = stores.clock.now();
    for (const age of [retention + HOUR, retention + 2 * HOUR, retention - HOUR]) {
      await log.record({
        partnerTenantId: PARTNER,
        activity: 'create managedTenantOperation',
        activityDateTime: toUtcDateTimeOffset(new Date(now - age)),
        category: 'managedTenantOperation',
        activityId: randomUUID(),
      });
    }
    const janitor = new AuditLogJanitor(log, config);
    expect(await step('auditLogPurge', janitor)).toBe(2);
    expect(await count('audit_events')).toBe(1);
    expect(await step('auditLogPurge', janitor)).toBe(0);
    // A tenth of the retention period, at most an hour apart.
    expect(janitor.settings()).toMatchObject({ pollMs: HOUR, maxPollMs: HOUR });
  });

  it('forgets changes only once they are older than the retention period and a margin for clocks', async () => {
    const retention = config.values.changes.retentionMs;
    await stores.operation();
    const written = Date.now();
    expect(await count('entity_changes')).toBeGreaterThan(0);
    const janitor = new ChangeFeedJanitor(stores.get(ChangeFeedStore), config);

    await stores.clock.advance(written + retention + 60_000 - stores.clock.now());
    expect(await step('changeFeedPurge', janitor)).toBe(0);
    expect(await count('entity_changes')).toBeGreaterThan(0);

    await stores.clock.advance(written + retention + 5 * 60_000 + 1_000 - stores.clock.now());
    expect(await step('changeFeedPurge', janitor)).toBeGreaterThan(0);
    expect(await count('entity_changes')).toBe(0);
    expect(janitor.settings()).toMatchObject({ pollMs: 10 * 60_000, maxPollMs: 10 * 60_000 });
  });
});
