import { EngineStores, tenantIds } from '../../../test/support/engine-stores';

describe('RunQueueStore: stopping a run (a real SQLite store)', () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  it('cancels a run while it has tenants to run, never one being summed up or finished', async () => {
    const operation = await stores.operation();
    const run = await stores.startRun(operation.id, tenantIds(2));
    const key = { partnerTenantId: run.partnerTenantId, operationId: run.operationId };
    const [first, second] = await stores.claim(2);
    await stores.queue.completeAll('worker-a', [
      { task: first, completion: { outcome: 'succeeded', message: null, calls: 1, retries: 0 } },
    ]);
    // A tenant still runs: a cancel stops the run.
    expect(await stores.queue.stop(key, 'cancelled')).toBe(true);
    await stores.queue.completeAll('worker-a', [
      {
        task: second,
        completion: { outcome: 'skipped', message: 'Cancelled.', calls: 0, retries: 0 },
      },
    ]);
    // Every tenant is done and the run is being summed up: there is nothing left to cancel (its
    // operation may already read complete).
    const now = stores.clock.now();
    const [finishing] = await stores.queue.claimFinishes('worker-a', now + 30_000, now, key);
    expect(finishing.state).toBe('finishing');
    expect(await stores.queue.stop(key, 'cancelled')).toBe(false);
  });
});
