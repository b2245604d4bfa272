import { EngineStores } from '../../test/support/engine-stores';

/** The settings the service's SQLite connection is opened with (a real file, migrated). */
describe('the SQLite connection', () => {
  let stores: EngineStores;
  beforeAll(async () => (stores = await EngineStores.open()));
  afterAll(() => stores.close());

  async function pragma(name: string): Promise<unknown> {
    const [row] = (await stores.dataSource.query(`PRAGMA ${name}`)) as Array<
      Record<string, unknown>
    >;
    return row[name];
  }

  it('makes a commit durable before it is answered: write-ahead log, synchronous FULL', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
  });

  it("keeps the savepoints' undo records (one per write of a group commit) in memory, not in temporary files", async () => {
    // 2 is MEMORY (0 would leave it to the build's default: a file past 64 KiB of records).
    expect(await pragma('temp_store')).toBe(2);
  });
});
