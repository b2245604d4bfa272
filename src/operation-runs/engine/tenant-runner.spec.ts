import { Agent } from 'undici';
import { EngineStores, graphOn } from '../../../test/support/engine-stores';
import { TenantTask } from '../../database/stores/run-queue.store';
import {
  customerTenantIds,
  RunningSimulator,
  startGraphSimulator,
} from '../../graph-simulator/graph-simulator';
import { TenantRun } from '../tenant-run';
import { EngineErrors } from './engine-errors';
import { ownerOf, RunPlans } from './run-plans';
import { OperationCredentials } from './operation-credentials';
import { RunRows } from './run-rows';
import { TenantRunner } from './tenant-runner';

/** One tenant against the Graph stand-in on loopback, with the stores on a real SQLite file. */
describe('TenantRunner', () => {
  let simulator: RunningSimulator;
  let stores: EngineStores;
  const dispatcher = new Agent({ connections: 8 });

  beforeAll(async () => {
    simulator = await startGraphSimulator({
      tenants: 3,
      usersPerTenant: 3,
      clientSecret: 'secret',
    });
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await simulator.close();
  });
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  function runner(): TenantRunner {
    const { graph, tokens } = graphOn(simulator.url, dispatcher, {
      clientSecret: 'secret',
      maxAttempts: 2,
    });
    return new TenantRunner(
      new TenantRun(graph, tokens, ['secret']),
      new RunPlans(stores.operations, new OperationCredentials(stores.operations, stores.clock)),
      stores.queue,
      stores.results,
      new EngineErrors(['secret']),
      1024 * 1024,
    );
  }

  async function claimed(tenants: string[], failOnFirstError = false): Promise<TenantTask[]> {
    const operation = await stores.operation({
      operationDefinition: {
        value: 'GET /v1.0/users?$select=id',
        logLevel: 'full',
        failOnFirstError,
      },
    });
    await stores.startRun(operation.id, tenants);
    return stores.claim(tenants.length);
  }

  const running = () => false;

  it('runs the statements in the tenant and returns its rows and its calls, tagged with the tenant', async () => {
    const [task] = await claimed(customerTenantIds(1));
    const completion = await runner().run(task, new AbortController().signal, running);
    expect(completion?.outcome).toBe('succeeded');
    expect(completion?.result?.rows).toHaveLength(3);
    expect(JSON.parse(completion!.result!.rows[0])).toMatchObject({
      _TenantId: task.targetTenantId,
    });
    expect(completion?.httpCalls?.map((call) => call.statusCode)).toEqual([200]);
    expect(completion?.calls).toBe(1);
  });

  it('fails a tenant that refuses, and under failOnFirstError stops the run for the others', async () => {
    const tenants = customerTenantIds(3).slice(1);
    simulator.faultsOf(tenants[0]).forbidden = true;
    const [task, other] = await claimed(tenants, true);
    const completion = await runner().run(task, new AbortController().signal, running);
    expect(completion?.outcome).toBe('failed');
    expect((await stores.queue.find(task))!.stop).toBe('failedFirst');
    const next = await runner().run(other, new AbortController().signal, running);
    expect(next).toMatchObject({
      outcome: 'skipped',
      message: 'Not run: failOnFirstError stopped the operation after a tenant failed.',
    });
  });

  it('a tenant stopped by a cancel fails saying so; stopped by a shutdown, it is given back', async () => {
    simulator.setLatency(2_000);
    try {
      const [cancelled, shutDown] = await claimed(customerTenantIds(2));
      const cancel = new AbortController();
      const first = runner().run(cancelled, cancel.signal, running);
      setTimeout(() => cancel.abort(), 50);
      expect(await first).toMatchObject({
        outcome: 'failed',
        message: 'Stopped: the operation was cancelled while this tenant ran.',
      });
      const shutdown = new AbortController();
      const second = runner().run(shutDown, shutdown.signal, () => true);
      setTimeout(() => shutdown.abort(), 50);
      expect(await second).toBeUndefined();
    } finally {
      simulator.setLatency(0);
    }
  });

  it('a tenant claimed again whose result row was written is done once, from that row', async () => {
    const [task] = await claimed(customerTenantIds(1));
    const operation = (await stores.operations.findById(
      { tenantId: task.partnerTenantId },
      task.operationId,
    ))!;
    await new RunRows(stores.results, stores.httpRequests, stores.clock).recordResult(
      task,
      ownerOf(operation),
      { isSuccess: false, rows: [], bytes: 0, exception: 'Forbidden', executionInfo: '' },
    );
    const callsBefore = simulator.calls.length;
    const completion = await runner().run(
      { ...task, claims: 2 },
      new AbortController().signal,
      running,
    );
    expect(completion).toEqual({
      task: { ...task, claims: 2 },
      outcome: 'failed',
      message: 'Forbidden',
    });
    expect(simulator.calls).toHaveLength(callsBefore);
  });
});
