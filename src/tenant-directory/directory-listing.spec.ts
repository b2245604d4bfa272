import { EngineStores, PARTNER, tenantIds } from '../../test/support/engine-stores';
import { TenantDirectoryStore } from '../database/stores/tenant-directory.store';
import { CustomerContract } from '../integrations/graph/partner-customers';
import { DirectoryListing } from './directory-listing';

const DAY_MS = 24 * 60 * 60_000;

describe('DirectoryListing (a real SQLite store)', () => {
  let stores: EngineStores;

  beforeEach(async () => {
    stores = await EngineStores.open();
  });

  afterEach(async () => {
    await stores.close();
  });

  const listing = () =>
    new DirectoryListing(stores.tenants, stores.get(TenantDirectoryStore), PARTNER, stores.clock);
  const contractOf = (
    tenantId: string,
    displayName = `Customer ${tenantId}`,
  ): CustomerContract => ({
    tenantId,
    displayName,
    defaultDomainName: `${tenantId.slice(0, 8)}.example`,
    contractType: 'contract',
  });
  /** A listing of `contracts` in pages of `pageSize`, finished. */
  const list = async (contracts: readonly CustomerContract[], pageSize = 400) => {
    const running = listing();
    for (let start = 0; start < contracts.length; start += pageSize) {
      await running.take(contracts.slice(start, start + pageSize));
    }
    return running.finish();
  };
  const directory = async () =>
    new Map(
      (await stores.tenants.findByIds({ tenantId: PARTNER }, ids)).map((tenant) => [
        tenant.id,
        tenant,
      ]),
    );
  const countOf = async (table: string) =>
    Number((await stores.dataSource.query(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n);
  const notes = () => countOf('directory_listing_tenants');
  let ids: string[];

  it('adds each customer once, however often the pages name it, and keeps no note of the listing after it', async () => {
    ids = tenantIds(1_200);
    const contracts = ids.map((id) => contractOf(id));
    // Every customer of the second half is named twice, once in a later page.
    const counts = await list([...contracts, ...contracts.slice(600)]);
    expect(counts).toEqual({ added: 1_200, changed: 0, gone: 0 });
    expect((await directory()).size).toBe(1_200);
    expect(await notes()).toBe(0);
  });

  it("stamps the customers a page adds with the time that page is written, and those it marks gone with the listing's end", async () => {
    ids = tenantIds(3);
    const started = stores.clock.now();
    const running = listing();
    await running.take([contractOf(ids[0])]);
    await stores.clock.advance(5_000);
    await running.take([contractOf(ids[1])]);
    await running.take([contractOf(ids[2])]);
    await running.finish();
    const added = await directory();
    const at = (ms: number) => new Date(ms).toISOString();
    expect(ids.map((id) => added.get(id)!.createdDateTime)).toEqual([
      at(started),
      at(started + 5_000),
      at(started + 5_000),
    ]);

    // A listing without the first customer, ended a minute later, marks it gone then.
    const next = listing();
    await next.take(ids.slice(1).map((id) => contractOf(id)));
    await stores.clock.advance(60_000);
    await next.finish();
    const gone = (await directory()).get(ids[0])!;
    expect(gone.properties.tenantStatusInformation?.offboardedDateTime).toBe(at(started + 65_000));
    expect(gone.createdDateTime).toBe(at(started));
  });

  it('marks the customers no longer listed, a page at a time, and writes neither the unchanged ones nor those already marked', async () => {
    ids = tenantIds(1_500);
    await list(ids.map((id) => contractOf(id)));
    const before = await directory();

    // 1,100 no longer listed (more than a page of them), one renamed.
    const kept = ids.slice(0, 400);
    await stores.clock.advance(1_000);
    const counts = await list(
      kept.map((id, index) => contractOf(id, index === 0 ? 'Renamed' : undefined)),
    );
    expect(counts).toEqual({ added: 0, changed: 1, gone: 1_100 });
    const after = await directory();
    const status = (id: string) =>
      after.get(id)!.properties.tenantStatusInformation?.delegatedPrivilegeStatus;
    expect(ids.slice(400).every((id) => status(id) === 'none')).toBe(true);
    expect(kept.every((id) => status(id) === 'delegatedAdminPrivileges')).toBe(true);
    expect(after.get(kept[0])!.properties.displayName).toBe('Renamed');
    expect(kept.slice(1).map((id) => after.get(id)!.lastModifiedDateTime)).toEqual(
      kept.slice(1).map((id) => before.get(id)!.lastModifiedDateTime),
    );

    // The same listing again: nothing changes, nothing is written (not even the ones marked).
    await stores.clock.advance(1_000);
    const changesBefore = await countOf('entity_changes');
    expect(
      await list(kept.map((id, index) => contractOf(id, index === 0 ? 'Renamed' : undefined))),
    ).toEqual({ added: 0, changed: 0, gone: 0 });
    const again = await directory();
    expect(ids.map((id) => again.get(id)!.lastModifiedDateTime)).toEqual(
      ids.map((id) => after.get(id)!.lastModifiedDateTime),
    );
    expect(await countOf('entity_changes')).toBe(changesBefore);
  });

  it('forgets what an abandoned listing noted, and what a listing that never ended noted a day ago', async () => {
    ids = tenantIds(50);
    const died = listing();
    await died.take(ids.slice(0, 20).map((id) => contractOf(id)));
    const failed = listing();
    await failed.take(ids.slice(20, 30).map((id) => contractOf(id)));
    expect(await notes()).toBe(30);

    await failed.abandon();
    expect(await notes()).toBe(20);
    await stores.clock.advance(DAY_MS + 1);
    await list(ids.map((id) => contractOf(id)));
    expect(await notes()).toBe(0);
  });
});
