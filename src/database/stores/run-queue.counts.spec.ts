import { EngineStores, tenantIds } from '../../../test/support/engine-stores';
import { RunRecord } from './run-queue.store';

/** A run's progress as its tenants' rows say it, counted row by row. */
async function countedFromTenants(stores: EngineStores, run: RunRecord) {
  const [row] = (await stores.dataSource.query(
    `SELECT COUNT(*) AS "total", SUM(CASE WHEN "outcome" = 'succeeded' THEN 1 ELSE 0 END) AS "succeeded", SUM(CASE WHEN "outcome" = 'failed' THEN 1 ELSE 0 END) AS "failed", SUM(CASE WHEN "outcome" = 'skipped' THEN 1 ELSE 0 END) AS "skipped", SUM(CASE WHEN "state" <> 'done' THEN 1 ELSE 0 END) AS "pending", SUM("calls") AS "calls", SUM("retries") AS "retries" FROM "operation_run_tenants" WHERE "partnerTenantId" = ? AND "operationId" = ? AND "run" = ?`,
    [run.partnerTenantId, run.operationId, run.run],
  )) as Array<Record<string, number | null>>;
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, Number(value ?? 0)]));
}

describe("RunQueueStore: a run's counts (a real SQLite store)", () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  it('keeps the progress its tenants say as they are added, completed, and lost', async () => {
    const operation = await stores.operation();
    const [first, second, third, fourth] = tenantIds(4);
    const run = await stores.startRun(operation.id, [
      first,
      { targetTenantId: 'contoso.example', resultId: 'r-skipped', skipped: 'Not a tenant id.' },
      second,
      first,
      third,
      fourth,
    ]);
    expect(await stores.queue.progress(run)).toEqual(await countedFromTenants(stores, run));
    expect(await stores.queue.progress(run)).toMatchObject({ total: 5, skipped: 1, pending: 4 });

    const [a, b, c] = await stores.claim(3);
    const completed = await stores.queue.completeAll('worker-a', [
      { task: a, completion: { outcome: 'succeeded', message: null, calls: 2, retries: 1 } },
      { task: b, completion: { outcome: 'failed', message: 'Forbidden', calls: 3, retries: 2 } },
    ]);
    expect(completed).toEqual([true, true]);
    // A worker that lost its claim records nothing, and counts nothing.
    expect(
      await stores.queue.complete(c, 'worker-b', {
        outcome: 'succeeded',
        message: null,
        calls: 1,
        retries: 0,
      }),
    ).toBe(false);
    // Twice the same outcome: the second finds the tenant done.
    expect(
      await stores.queue.complete(a, 'worker-a', {
        outcome: 'succeeded',
        message: null,
        calls: 2,
        retries: 1,
      }),
    ).toBe(false);
    await stores.queue.complete(c, 'worker-a', {
      outcome: 'skipped',
      message: 'Cancelled.',
      calls: 0,
      retries: 0,
    });

    const progress = await stores.queue.progress(run);
    expect(progress).toEqual(await countedFromTenants(stores, run));
    expect(progress).toEqual({
      total: 5,
      succeeded: 1,
      failed: 1,
      skipped: 2,
      pending: 1,
      calls: 5,
      retries: 3,
    });
  });

  it("forgets what an abandoned listing added, with the listing's rows", async () => {
    const operation = await stores.operation({ target: { allTenants: true } });
    const run = await stores.startRun(operation.id, [], true);
    const [claimed] = await stores.queue.claimExpansions(
      'worker-a',
      Date.now() + 60_000,
      Date.now(),
    );
    expect(
      await stores.queue.addListedTenants(
        claimed,
        'worker-a',
        tenantIds(3).map((targetTenantId) => ({ targetTenantId, resultId: targetTenantId })),
        0,
      ),
    ).toBe(3);
    expect(await stores.queue.progress(run)).toMatchObject({ total: 3, pending: 3 });
    // Its lease runs out; the next worker to list the run starts over.
    const [again] = await stores.queue.claimExpansions(
      'worker-b',
      Date.now() + 120_000,
      Date.now() + 90_000,
    );
    expect(again.run).toBe(run.run);
    expect(await stores.queue.progress(run)).toEqual(await countedFromTenants(stores, run));
    expect(await stores.queue.progress(run)).toMatchObject({ total: 0, pending: 0 });
  });
});
