import { Agent } from 'undici';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { EngineStores, PARTNER, graphOn, tenantIds } from '../../../test/support/engine-stores';
import { GraphClient } from '../../integrations/graph/graph-client';
import { TenantTokens } from '../../integrations/graph/tenant-tokens';
import { RunningSimulator, startGraphSimulator } from '../../graph-simulator/graph-simulator';
import { PartnerCustomers } from '../../integrations/graph/partner-customers';
import { EngineErrors } from './engine-errors';
import { OperationCredentials } from './operation-credentials';
import { RunExpansion } from './run-expansion';
import { RunRows } from './run-rows';
import { SerialWriter } from '../../database/serial-writer';

/** Waits until `condition` holds (10 s at most). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((wait) => setTimeout(wait, 5));
  }
}

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

  function expansion(
    clientSecret = 'secret',
    customers = (() => {
      const { graph, tokens } = graphOn(simulator.url, dispatcher, {
        clientSecret,
        maxAttempts: 1,
      });
      return new PartnerCustomers(graph, tokens, [clientSecret]);
    })(),
  ): RunExpansion {
    return new RunExpansion(
      stores.queue,
      stores.operations,
      customers,
      new RunRows(stores.results, stores.httpRequests, stores.clock),
      stores.clock,
      'worker-a',
      30_000,
      new EngineErrors([clientSecret]),
      new OperationCredentials(stores.operations, stores.clock),
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

  it('writes the pages in batches while it asks for the next ones, in the order listed, holding at most about ten pages', async () => {
    // 18,000 customers: nineteen pages of /contracts, each answered 100 ms after it is asked for.
    const paged = await startGraphSimulator({
      tenants: 18_000,
      usersPerTenant: 1,
      clientSecret: 'secret',
      latencyMs: 100,
    });
    try {
      const { graph, tokens } = graphOn(paged.url, dispatcher, {
        clientSecret: 'secret',
        maxAttempts: 1,
      });
      const operation = await stores.operation({ target: { allTenants: true } });
      await stores.startRun(operation.id, [], true);
      const expanding = expansion(
        'secret',
        new PartnerCustomers(graph, tokens, ['secret']),
      ).expandClaimed();
      // Once the listing asks for its token (the run is claimed), the database's writer is held:
      // no page, and no record of a call, can be written until it is let go.
      await until(() => paged.tokenRequests.length > 0);
      let letGo!: () => void;
      const held = stores.get(SerialWriter).run(() => new Promise<void>((go) => (letGo = go)));
      const contractCalls = () => paged.calls.filter((call) => call.path.includes('/contracts'));
      // The sixth page starts a write of six (held); eleven more pages come meanwhile...
      await until(() => contractCalls().length >= 17);
      // ...and the eighteenth is not asked for: over 10,000 customers wait for the write.
      await new Promise((wait) => setTimeout(wait, 500));
      expect(contractCalls()).toHaveLength(17);
      expect(await stores.httpRequests.count({ tenantId: PARTNER }, {})).toBe(0);
      letGo();
      await held;
      const [expanded] = await expanding;
      expect(expanded.nothingToRun).toBeUndefined();
      expect(await stores.queue.progress(expanded.run)).toMatchObject({ total: 18_000 });
      const tasks = await stores.queue.claimTenants(
        expanded.run,
        'worker-a',
        stores.clock.now() + 30_000,
        stores.clock.now(),
        18_000,
      );
      expect(tasks.map((task) => task.targetTenantId)).toEqual(paged.customerTenantIds);
      expect(tasks.map((task) => task.position)).toEqual(tasks.map((_task, index) => index));
      expect(await stores.httpRequests.count({ tenantId: PARTNER }, {})).toBe(19);
    } finally {
      await paged.close();
    }
  });

  it('keeps a tenant listed on two pages once, in the place it was first listed', async () => {
    const operation = await stores.operation({ target: { allTenants: true } });
    await stores.startRun(operation.id, [], true);
    const now = stores.clock.now();
    const [run] = await stores.queue.claimExpansions('worker-a', now + 30_000, now);
    const [first, second] = tenantIds(2);
    const page = (ids: string[]) => ids.map((id) => ({ targetTenantId: id, resultId: id }));
    expect(await stores.queue.addListedTenants(run, 'worker-a', page([first]), 0)).toBe(1);
    expect(await stores.queue.addListedTenants(run, 'worker-a', page([second, first]), 1)).toBe(1);
    expect(await stores.queue.addListedTenants(run, 'worker-b', page([second]), 3)).toBeUndefined();
    expect(await stores.queue.expanded(run, 'worker-a', true)).toBe(true);
    const outcomes = await stores.queue.progress(run);
    expect(outcomes).toMatchObject({ total: 2, pending: 2 });
    const claimed = await stores.queue.claimTenants(run, 'worker-a', now + 30_000, now, 10);
    expect(claimed.map((task) => [task.targetTenantId, task.position])).toEqual([
      [first, 0],
      [second, 1],
    ]);
  });

  it('a listing abandoned part way is listed again from the start by the next worker', async () => {
    const operation = await stores.operation({ target: { allTenants: true } });
    await stores.startRun(operation.id, [], true);
    const now = stores.clock.now();
    const [run] = await stores.queue.claimExpansions('worker-gone', now + 30_000, now);
    const [stale] = tenantIds(1);
    await stores.queue.addListedTenants(
      run,
      'worker-gone',
      [{ targetTenantId: stale, resultId: stale }],
      0,
    );
    // The lease of the worker that died runs out; the next worker lists every customer.
    await stores.clock.advance(30_001);
    const [expanded] = await expansion().expandClaimed();
    expect(expanded.nothingToRun).toBeUndefined();
    expect(await stores.queue.progress(expanded.run)).toMatchObject({ total: 1_200 });
    const tasks = await stores.queue.claimTenants(
      expanded.run,
      'worker-a',
      now + 90_000,
      stores.clock.now(),
      2_000,
    );
    expect(tasks.map((task) => task.targetTenantId)).not.toContain(stale);
  });

  it('a listing that fails after its first page keeps none of the tenants it had listed', async () => {
    // A /contracts whose second page is a server error; the dapAccessToken is the partner's token.
    const listed = tenantIds(3);
    const server = createServer((request, response) => {
      const second = request.url!.includes('skiptoken');
      response.writeHead(second ? 500 : 200, { 'content-type': 'application/json' }).end(
        JSON.stringify(
          second
            ? { error: { code: 'serviceError', message: 'down' } }
            : {
                value: listed.map((customerId) => ({ customerId })),
                '@odata.nextLink': `${origin}/v1.0/contracts?$skiptoken=1`,
              },
        ),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const config = { graphApiUrl: origin, maxAttempts: 1, callTimeoutMs: 2_000, retryBaseMs: 1 };
      const customers = new PartnerCustomers(
        new GraphClient(config, dispatcher),
        new TenantTokens({ ...config, authorityUrl: origin }, dispatcher),
      );
      const operation = await stores.operation({ target: { allTenants: true } });
      await stores.startRun(operation.id, [], true);
      const [expanded] = await expansion('secret', customers).expandClaimed();
      expect(expanded.nothingToRun).toContain('500');
      expect(await stores.queue.progress(expanded.run)).toMatchObject({ total: 0 });
      // Both calls are recorded, the one that failed the listing too.
      expect(await stores.httpRequests.count({ tenantId: PARTNER }, {})).toBe(2);
      expect((await stores.queue.find(expanded.run))!.state).toBe('running');
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
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
