import { AtomicWork } from '../src/database/atomic-work';
import { SqlExecutor } from '../src/database/sql-executor';
import { ON_POSTGRES } from './support/test-database';
import { TestApp } from './support/test-app';

const TABLE = 'executor_probe';

/**
 * The storage executor the service chose at start-up, on the database of this test run: the
 * stores' SQL (`?` placeholders) runs on it unchanged, its transactions keep all or nothing,
 * nest in a unit of work, and share SQLite's group commit with plain writes.
 */
describe('storage executor', () => {
  let app: TestApp;
  let db: SqlExecutor;
  let units: AtomicWork;

  const names = async () =>
    (await db.all(`SELECT "name" FROM "${TABLE}" ORDER BY "id"`)).map((row) => row.name);

  beforeAll(async () => {
    app = await TestApp.start();
    db = app.app.get(SqlExecutor);
    units = app.app.get(AtomicWork);
    await db.run(`DROP TABLE IF EXISTS "${TABLE}"`);
    await db.run(
      `CREATE TABLE "${TABLE}" ("id" INTEGER PRIMARY KEY, "name" VARCHAR(40) NOT NULL UNIQUE)`,
    );
  });
  afterAll(async () => {
    await db?.run(`DROP TABLE IF EXISTS "${TABLE}"`);
    await app?.dispose();
  });
  beforeEach(() => db.run(`DELETE FROM "${TABLE}"`));

  it('is the database the service runs on, chosen once', () => {
    expect(db.dialect.name).toBe(ON_POSTGRES ? 'postgres' : 'sqlite');
    expect(db.singleProcess).toBe(!ON_POSTGRES);
  });

  it('binds `?` placeholders, counts the rows a write touched, returns RETURNING rows', async () => {
    expect(
      await db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?), (?, ?)`, [1, 'a', 2, 'b']),
    ).toBe(2);
    const renamed = await db.all(
      `UPDATE "${TABLE}" SET "name" = "name" || ? WHERE "id" >= ? RETURNING "id", "name"`,
      ['!', 1],
    );
    expect(renamed.map((row) => row.name).sort()).toEqual(['a!', 'b!']);
    expect(await db.get(`SELECT "name" FROM "${TABLE}" WHERE "id" = ?`, [2])).toEqual({
      name: 'b!',
    });
    expect(await db.run(`DELETE FROM "${TABLE}" WHERE "name" = ?`, ["a!' OR 1=1 --"])).toBe(0);
    expect(await names()).toEqual(['a!', 'b!']);
  });

  it('reads rows as arrays in the order of their columns', async () => {
    await db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?), (?, ?)`, [1, 'a', 2, 'b']);
    const read = `SELECT "name", "id" FROM "${TABLE}" WHERE "id" >= ? ORDER BY "id"`;
    expect(await db.arrays(read, [1])).toEqual({
      columns: ['name', 'id'],
      rows: [
        ['a', 1],
        ['b', 2],
      ],
    });
    const inTransaction = await db.transaction((session) => session.arrays(read, [2]));
    expect(inTransaction.rows).toEqual([['b', 2]]);
  });

  it("a statement's failure is its promise's, also in a transaction (never thrown at the call)", async () => {
    await db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'taken']);
    const duplicate = `INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`;
    const caught = await db.transaction((session) =>
      session.run(duplicate, [2, 'taken']).catch((error: Error) => `caught: ${error.message}`),
    );
    expect(caught).toMatch(/^caught: .*unique/i);
    const outside = await db.run(duplicate, [3, 'taken']).catch((error: Error) => error.message);
    expect(outside).toMatch(/unique/i);
  });

  it('a transaction keeps all of its statements or none', async () => {
    await expect(
      db.transaction(async (session) => {
        await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'first']);
        await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [2, 'first']);
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/unique/i) });
    expect(await names()).toEqual([]);
    await db.transaction(async (session) => {
      await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'kept']);
      expect(await session.get(`SELECT COUNT(*) AS "n" FROM "${TABLE}"`)).toEqual({
        n: ON_POSTGRES ? '1' : 1,
      });
    });
    expect(await names()).toEqual(['kept']);
  });

  it('commits a failing transaction alone: the writes committed with it stay', async () => {
    const writes = [
      db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'before']),
      db.transaction(async (session) => {
        await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [2, 'undone']);
        await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [3, 'before']);
      }),
      db.transaction((session) =>
        session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [4, 'after']),
      ),
    ];
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await names()).toEqual(['before', 'after']);
  });

  it('inside a unit of work, statements and transactions join it and are undone with it', async () => {
    await units.run(async () => {
      await db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'in unit']);
      // A transaction nests as a savepoint: its failure undoes it alone.
      await expect(
        db.transaction(async (session) => {
          await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [2, 'nested']);
          await session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [3, 'nested']);
        }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/unique/i) });
      await db.transaction((session) =>
        session.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [4, 'kept nested']),
      );
      expect(await names()).toEqual(['in unit', 'kept nested']);
      return { result: undefined, commit: false };
    });
    expect(await names()).toEqual([]);
  });

  it('a settled read never sees the writes of a unit of work in progress', async () => {
    let inserted!: () => void;
    let finish!: () => void;
    const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    const unit = units.run(async () => {
      await db.run(`INSERT INTO "${TABLE}" ("id", "name") VALUES (?, ?)`, [1, 'undone']);
      inserted();
      await finishing;
      return { result: undefined, commit: false };
    });
    await insertedNow;
    // Read from outside the unit while its row is written and not committed.
    const count = db.settled(async (session) =>
      Number((await session.get(`SELECT COUNT(*) AS "n" FROM "${TABLE}"`))?.n),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish();
    await unit;
    expect(await count).toBe(0);
  });
});
