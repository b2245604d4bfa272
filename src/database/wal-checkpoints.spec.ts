import { statSync } from 'node:fs';
import { EngineStores } from '../../test/support/engine-stores';
import { AppConfigService } from '../config/app-config.service';
import { AppConfig } from '../config/config-types';
import { WAL_AUTOCHECKPOINT_PAGES } from './data-source-options';
import { WalCheckpoints } from './wal-checkpoints';

describe('WalCheckpoints (a real SQLite file)', () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(async () => {
    await stores.get(WalCheckpoints).stop();
    await stores.close();
  });

  it('copies the log into the database file on a thread of its own, not on the committing connection', async () => {
    const checkpoints = stores.get(WalCheckpoints);
    const file = stores.get(AppConfigService).values.databasePath;
    const [{ wal_autocheckpoint: autocheckpoint }] = (await stores.dataSource.query(
      'PRAGMA wal_autocheckpoint',
    )) as Array<{ wal_autocheckpoint: number }>;
    expect(autocheckpoint).toBe(WAL_AUTOCHECKPOINT_PAGES);
    await checkpoints.checkpoint();
    const before = statSync(file).size;

    // About 3,000 pages, past the 1,000 at which SQLite would checkpoint on the connection itself.
    await stores.dataSource.query('CREATE TABLE "filler" ("page" blob)');
    await stores.dataSource.query(
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO "filler" SELECT randomblob(4000) FROM n',
    );
    expect(statSync(file).size).toBe(before);

    const done = await checkpoints.checkpoint();
    expect(done.checkpointed).toBeGreaterThan(3_000);
    expect(done.checkpointed).toBe(done.log);
    expect(statSync(file).size).toBeGreaterThan(before + 3_000 * 4_000);
  });

  it('leaves a log of fewer than 1,000 pages to grow, as SQLite itself would', async () => {
    const checkpoints = stores.get(WalCheckpoints);
    const file = stores.get(AppConfigService).values.databasePath;
    await checkpoints.checkpoint();
    const before = statSync(file).size;
    await stores.dataSource.query('CREATE TABLE "filler" ("page" blob)');
    await stores.dataSource.query(
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO "filler" SELECT randomblob(4000) FROM n',
    );
    expect(await checkpoints.checkpoint()).toEqual({ log: 0, checkpointed: 0 });
    expect(statSync(file).size).toBe(before);
  });

  it('is off on PostgreSQL and for a database in memory', () => {
    const values = stores.get(AppConfigService).values;
    const on = (changes: Partial<AppConfig>) =>
      new WalCheckpoints(new AppConfigService({ ...values, ...changes })).settings().enabled;
    expect(on({})).toBe(true);
    expect(on({ databasePath: ':memory:' })).toBe(false);
    expect(on({ postgres: { url: 'postgres://127.0.0.1/mto' } as AppConfig['postgres'] })).toBe(
      false,
    );
  });
});
