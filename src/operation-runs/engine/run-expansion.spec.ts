import { Agent } from 'undici';
import { EngineStores, PARTNER, graphOn } from '../../../test/support/engine-stores';
import { RunningSimulator, startGraphSimulator } from '../../graph-simulator/graph-simulator';
import { PartnerCustomers } from '../../integrations/graph/partner-customers';
import { EngineErrors } from './engine-errors';
import { RunExpansion } from './run-expansion';
import { RunRows } from './run-rows';

/** Listing an `allTenants` run's tenants from the Graph stand-in's /contracts (1,200: two pages). */
describe('RunExpansion', () => {
  let simulator: RunningSimulator;
  let stores: EngineStores;
  const dispatcher = new Agent({ connections: 4 });

  beforeAll(async () => {
    simulator = await startGraphSimulator({
      tenants: 1_200,
      usersPerTenant: 1,
      clientSecret: 'secret',
    });
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await simulator.close();
  });
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  function expansion(clientSecret = 'secret'): RunExpansion {
    const { graph, tokens } = graphOn(simulator.url, dispatcher, { clientSecret, maxAttempts: 1 });
    return new RunExpansion(
      stores.queue,
      stores.operations,
      new PartnerCustomers(graph, tokens, [clientSecret]),
      new RunRows(stores.results, stores.httpRequests, stores.clock),
      stores.clock,
      'worker-a',
      30_000,
      new EngineErrors([clientSecret]),
    );
  }

  it("gives the run the partner's customers in order, following nextLinks, and records the calls", async () => {
    const operation = await stores.operation({ target: { allTenants: true } });
    await stores.startRun(operation.id, [], true);
    const expanded = await expansion().expandClaimed();
    expect(expanded).toHaveLength(1);
    expect(expanded[0].nothingToRun).toBeUndefined();
    const progress = await stores.queue.progress(expanded[0].run);
    expect(progress).toMatchObject({ total: 1_200, pending: 1_200 });
    expect((await stores.queue.find(expanded[0].run))!.state).toBe('running');
    const calls = await stores.httpRequests.count({ tenantId: PARTNER }, {});
    expect(calls).toBe(2);
    // Claimed once: a second look finds nothing to list.
    expect(await expansion().expandClaimed()).toEqual([]);
  });

  it('a listing that fails ends the run with why, without the secrets', async () => {
    const operation = await stores.operation({ target: { allTenants: true } });
    await stores.startRun(operation.id, [], true);
    const [expanded] = await expansion('a-wrong-secret').expandClaimed();
    expect(expanded.nothingToRun).toBeDefined();
    expect(expanded.nothingToRun).not.toContain('a-wrong-secret');
    expect(expanded.nothingToRun).not.toContain('dap-token');
    expect(await stores.queue.progress(expanded.run)).toMatchObject({ total: 0 });
  });
});
