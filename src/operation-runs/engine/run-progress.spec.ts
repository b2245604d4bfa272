import { EngineStores, PARTNER, tenantIds } from '../../../test/support/engine-stores';
import { RunProgressWriter } from './run-progress';

describe('RunProgressWriter (a real SQLite store, a manual clock)', () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  it("writes a running run's progress into its operation, only when it changed", async () => {
    const operation = await stores.operation();
    const run = await stores.startRun(operation.id, tenantIds(3));
    const [task] = await stores.claim(1);
    await stores.queue.complete(task, 'worker-a', {
      outcome: 'failed',
      message: 'Forbidden',
      calls: 3,
      retries: 2,
    });
    await stores.clock.advance(1_500);
    const progress = new RunProgressWriter(
      stores.operations,
      stores.queue,
      stores.history,
      stores.clock,
    );
    expect(await progress.write(run)).toBe('running');
    const written = (await stores.operations.findById({ tenantId: PARTNER }, operation.id))!;
    expect(written.properties.result?.executionInfo).toBe(
      'Run 1 running: 1 of 3 tenants done (0 succeeded, 1 failed), 2 pending; 3 calls (2 retried); 1.5 s.',
    );
    // Unchanged progress: no write (the entity's version stays).
    expect(await progress.write(run)).toBe('running');
    const again = (await stores.operations.findById({ tenantId: PARTNER }, operation.id))!;
    expect(again.lastModifiedDateTime).toBe(written.lastModifiedDateTime);
  });

  it('says when a run was cancelled (elsewhere) or is over', async () => {
    const operation = await stores.operation();
    const run = await stores.startRun(operation.id, tenantIds(1));
    const progress = new RunProgressWriter(
      stores.operations,
      stores.queue,
      stores.history,
      stores.clock,
    );
    await stores.queue.stop(run, 'cancelled');
    expect(await progress.write(run)).toBe('cancelled');
    expect(await progress.write({ ...run, run: 2 })).toBe('over');
  });
});
