import { Client } from 'pg';
import { newOperation } from './support/operation-factory';
import { newRecord, RESULTS } from './support/record-factory';
import { eventually } from './support/schedules';
import { ENTITY_SET, TestApp } from './support/test-app';
import { describeOnPostgres } from './support/test-database';

/**
 * On PostgreSQL a client's write can deadlock with the service's own background writes (a DELETE
 * of an operation cascades into rows that a finishing run is writing, while the run's
 * transaction waits for the operation's row). PostgreSQL then ends one of the two transactions;
 * when that is the client's, the write is run again, not answered with a 500.
 */
describeOnPostgres('a client write that PostgreSQL ends to settle a deadlock', () => {
  jest.setTimeout(60_000);

  let app: TestApp;
  let other: Client;

  beforeAll(async () => {
    app = await TestApp.start();
    other = new Client({ connectionString: app.databaseEnv.DATABASE_URL });
    await other.connect();
    await other.query(`SET search_path TO "${app.databaseEnv.DATABASE_SCHEMA}"`);
  });

  afterAll(async () => {
    await other.end();
    await app.dispose();
  });

  it('is run again and succeeds once the other transaction is done', async () => {
    const id = (await app.post(newOperation())).json().id;
    expect(
      (await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) })).statusCode,
    ).toBe(201);

    // Another writer holds the operation's result row, as a run's completion holds its rows;
    // its own deadlock check waits long, so that PostgreSQL ends the client's transaction.
    await other.query('BEGIN');
    await other.query(`SET LOCAL deadlock_timeout = '30s'`);
    await other.query(
      `UPDATE "managed_tenant_operation_results" SET "lastModifiedDateTime" = "lastModifiedDateTime" WHERE "managedTenantOperationId" = $1`,
      [id],
    );
    // Started now (an injected request starts when it is awaited).
    const deleted = Promise.resolve(app.delete(`${ENTITY_SET}/${id}`));
    // The DELETE has the operation's row and waits for the result row to cascade into it.
    const waiting = await eventually(
      async () =>
        (
          await other.query(
            'SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND pid IN ' +
              '(SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())',
          )
        ).rows[0].waiting as number,
      (count) => count > 0,
    );
    expect(waiting).toBeGreaterThan(0);
    // Now the other writer waits for the operation's row (what a foreign key check takes): a
    // deadlock, which PostgreSQL settles by ending the DELETE's transaction.
    await other.query(`SELECT 1 FROM "managed_tenant_operations" WHERE "id" = $1 FOR KEY SHARE`, [
      id,
    ]);
    await other.query('COMMIT');

    const response = await deleted;
    expect({ status: response.statusCode, body: response.body }).toEqual({ status: 204, body: '' });
    expect((await app.get(`${ENTITY_SET}/${id}`)).statusCode).toBe(404);
  });
});
