import { EngineStores, tenantIds } from '../../../test/support/engine-stores';
import { keyOf } from './engine-types';
import { TenantClaims } from './tenant-claims';

describe('TenantClaims (a real SQLite run queue, a manual clock)', () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  const limits = { concurrency: 2, leaseMs: 30_000 };
  const none = () => 0;
  const never = () => false;

  it('claims ahead of the slots (three per slot), shared fairly between the runs', async () => {
    const big = await stores.startRun((await stores.operation()).id, tenantIds(20));
    const small = await stores.startRun((await stores.operation()).id, tenantIds(2));
    const claims = new TenantClaims(stores.queue, stores.clock, 'worker-a', limits);
    const batches = await claims.claim(0, none, never);
    const byRun = new Map(batches.map((tasks) => [keyOf(tasks[0]), tasks.length]));
    // Six wanted: the small run has only two; the big one gets the rest.
    expect(byRun.get(keyOf(small))).toBe(2);
    expect(byRun.get(keyOf(big))).toBe(3);
    expect(claims.waiting).toBe(5);
    // Tenants start from the run with the fewest in flight.
    const inFlight = new Map([[keyOf(big), 1]]);
    expect(keyOf(claims.take((key) => inFlight.get(key) ?? 0)!.task)).toBe(keyOf(small));
  });

  it('takes the tenants of a run in their order', async () => {
    const tenants = tenantIds(4);
    await stores.startRun((await stores.operation()).id, tenants);
    const claims = new TenantClaims(stores.queue, stores.clock, 'worker-a', limits);
    await claims.claim(0, none, never);
    const taken = [claims.take(none), claims.take(none), claims.take(none), claims.take(none)];
    expect(taken.map((claimed) => claimed!.task.targetTenantId)).toEqual(tenants);
    expect(claims.take(none)).toBeUndefined();
  });

  it('claims nothing while a slot-full waits, and stops asking the queue once it is drained', async () => {
    await stores.startRun((await stores.operation()).id, tenantIds(3));
    const claims = new TenantClaims(stores.queue, stores.clock, 'worker-a', limits);
    expect((await claims.claim(0, none, never)).flat()).toHaveLength(3);
    expect(claims.mayHaveWork).toBe(false);
    expect(claims.wantsMore).toBe(false);
    expect(await claims.claim(0, none, never)).toEqual([]);
    claims.take(none);
    claims.take(none);
    expect(claims.wantsMore).toBe(true);
    claims.lookAgain();
    expect(await claims.claim(0, none, never)).toEqual([]);
    expect(claims.mayHaveWork).toBe(false);
  });

  it("another worker takes a tenant over when the first one's lease runs out", async () => {
    const tenants = tenantIds(1);
    await stores.startRun((await stores.operation()).id, tenants);
    const first = new TenantClaims(stores.queue, stores.clock, 'worker-a', limits);
    const second = new TenantClaims(stores.queue, stores.clock, 'worker-b', limits);
    expect((await first.claim(0, none, never)).flat()).toHaveLength(1);
    expect((await second.claim(0, none, never)).flat()).toHaveLength(0);
    await stores.clock.advance(limits.leaseMs + 1);
    second.lookAgain();
    const [taken] = (await second.claim(0, none, never)).flat();
    expect(taken.targetTenantId).toBe(tenants[0]);
    expect(taken.claims).toBe(2);
  });
});
