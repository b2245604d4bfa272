import { EngineStores, PARTNER, tenantIds } from '../../../test/support/engine-stores';
import { AtomicWork } from '../../database/atomic-work';
import { RunQueueStore, RunRecord } from '../../database/stores/run-queue.store';
import { EntityStore } from '../../database/stores/entity.store';
import { ConcurrentChangeError } from '../../database/stores/store-errors';
import { Entity } from '../../edm/entity';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { EngineErrors } from './engine-errors';
import { ownerOf } from './run-plans';
import { RunRows } from './run-rows';
import { RunSummarizer } from './run-summary';

type Outcome = { rows: string[] } | { failed: string } | { skipped: string };

describe('RunSummarizer (a real SQLite store, a manual clock)', () => {
  let stores: EngineStores;
  beforeEach(async () => (stores = await EngineStores.open()));
  afterEach(() => stores.close());

  const scope = { tenantId: PARTNER };

  /** A run whose tenants ended as `outcomes` say, claimed for summing up; and its operation. */
  async function finishedRun(
    outcomes: Outcome[],
    properties: Partial<ManagedTenantOperationProperties> = {},
    /** Cancelled while its tenants ran (before it is summed up, as a cancel can be). */
    cancelled = false,
  ): Promise<{ run: RunRecord; operation: Entity<ManagedTenantOperationProperties> }> {
    const operation = await stores.operation(properties);
    await stores.startRun(operation.id, tenantIds(outcomes.length));
    const tasks = await stores.claim(outcomes.length);
    const rows = new RunRows(stores.results, stores.httpRequests, stores.clock);
    for (const [index, task] of tasks.entries()) {
      const outcome = outcomes[index];
      const message =
        'rows' in outcome ? null : 'failed' in outcome ? outcome.failed : outcome.skipped;
      await rows.recordResult(task, ownerOf(operation), {
        isSuccess: 'rows' in outcome,
        rows: 'rows' in outcome ? outcome.rows : [],
        bytes: 0,
        exception: message,
        executionInfo: '',
      });
      await stores.queue.complete(task, 'worker-a', {
        outcome: 'rows' in outcome ? 'succeeded' : 'failed' in outcome ? 'failed' : 'skipped',
        message,
        calls: 2,
        retries: 0,
      });
    }
    const key = { partnerTenantId: PARTNER, operationId: operation.id };
    if (cancelled) expect(await stores.queue.stop(key, 'cancelled')).toBe(true);
    const now = stores.clock.now();
    const [run] = await stores.queue.claimFinishes('worker-a', now + 30_000, now, key);
    return { run, operation };
  }

  function summarizer(
    maxAggregateBytes = 64 * 1024 * 1024,
    {
      queue = stores.queue,
      operations = stores.operations,
    }: { queue?: RunQueueStore; operations?: EntityStore<ManagedTenantOperationProperties> } = {},
  ): RunSummarizer {
    return new RunSummarizer(
      operations,
      stores.results,
      queue,
      stores.history,
      stores.get(AtomicWork),
      stores.clock,
      'worker-a',
      maxAggregateBytes,
      new EngineErrors([]),
      30,
    );
  }

  /** The operations' store, whose first update fails with `error` (the next ones are written). */
  function failingFirstWrite(error: Error): {
    operations: EntityStore<ManagedTenantOperationProperties>;
    writes: () => number;
  } {
    const operations = Object.create(
      stores.operations,
    ) as EntityStore<ManagedTenantOperationProperties>;
    let writes = 0;
    operations.update = (...args) =>
      (writes += 1) === 1 ? Promise.reject(error) : stores.operations.update(...args);
    return { operations, writes: () => writes };
  }

  it('appends the rows of the tenants that succeeded, in order, and says how the run went', async () => {
    const { run, operation } = await finishedRun([{ rows: ['a1', 'a2'] }, { rows: ['b1'] }]);
    await stores.clock.advance(2_500);
    expect(await summarizer().finalize(run)).toBe(true);
    const summed = await stores.operations.findById(scope, operation.id);
    expect(summed!.properties.status).toBe('succeeded');
    expect(summed!.properties.result).toMatchObject({
      isComplete: true,
      isSuccess: true,
      exception: null,
      tenantExceptions: [],
      result: ['a1', 'a2', 'b1'],
      executionInfo:
        'Run 1 succeeded; 2 tenants: 2 succeeded, 0 failed; 4 calls in this run; 2.5 s.',
    });
    expect((await stores.queue.find(run))!.state).toBe('finished');
  });

  it('keeps at most the aggregation limit of rows, and one exception per tenant that did not succeed', async () => {
    const { run, operation } = await finishedRun(
      [
        { rows: ['a1', 'a2'] },
        { failed: 'Forbidden' },
        { rows: ['c1', 'c2'] },
        { skipped: 'Not run' },
      ],
      { aggregationDefinition: { value: '@sys.append([/result], 3)' } },
    );
    await summarizer().finalize(run);
    const { properties } = (await stores.operations.findById(scope, operation.id))!;
    expect(properties.status).toBe('failed');
    expect(properties.result?.result).toEqual(['a1', 'a2', 'c1']);
    expect(properties.result?.tenantExceptions?.map((e) => e.exception)).toEqual([
      'Forbidden',
      'Not run',
    ]);
    expect(properties.result?.executionInfo).toMatch(/4 tenants: 2 succeeded, 1 failed, 1 not run/);
  });

  it('stops the aggregate at its byte limit and says so', async () => {
    const { run, operation } = await finishedRun([{ rows: ['x'.repeat(60), 'y'.repeat(60)] }]);
    await summarizer(100).finalize(run);
    const { properties } = (await stores.operations.findById(scope, operation.id))!;
    expect(properties.result?.result).toEqual(['x'.repeat(60)]);
    expect(properties.result?.executionInfo).toMatch(
      /the aggregate stopped at 1 rows: its rows reached 100 bytes \(ENGINE_MAX_AGGREGATE_BYTES\)/,
    );
  });

  it('a cancelled run is cancelled, and a run that could not list its tenants fails with why', async () => {
    const cancelled = await finishedRun([{ rows: ['a'] }], {}, true);
    await summarizer().finalize(cancelled.run);
    expect(
      (await stores.operations.findById(scope, cancelled.operation.id))!.properties.status,
    ).toBe('cancelled');
    const unlisted = await finishedRun([]);
    await summarizer().finalize(unlisted.run, 'GET /v1.0/contracts answered 403');
    const { properties } = (await stores.operations.findById(scope, unlisted.operation.id))!;
    expect(properties.status).toBe('failed');
    expect(properties.result?.exception).toBe('GET /v1.0/contracts answered 403');
  });

  it('ends the operation and its run in one transaction: a failure after both writes keeps neither', async () => {
    const { run, operation } = await finishedRun([{ rows: ['a'] }]);
    // The run's end is written, then the unit fails (the disk fills, the process is told to stop).
    const failingAfterFinish = Object.create(stores.queue) as RunQueueStore;
    failingAfterFinish.finish = async (...args) => {
      await stores.queue.finish(...args);
      throw new Error('disk I/O error');
    };
    await expect(
      summarizer(undefined, { queue: failingAfterFinish }).finalize(run),
    ).rejects.toThrow('disk I/O error');
    const kept = (await stores.operations.findById(scope, operation.id))!;
    expect(kept.properties.status).toBe('running');
    expect(kept.properties.result?.isComplete).not.toBe(true);
    expect((await stores.queue.find(run))!.state).toBe('finishing');

    // Summed up again (as after the lease runs out), both are written.
    expect(await summarizer().finalize(run)).toBe(true);
    expect((await stores.operations.findById(scope, operation.id))!.properties.status).toBe(
      'succeeded',
    );
    expect((await stores.queue.find(run))!.state).toBe('finished');
  });

  it('ends a run whose aggregate cannot be saved without it, saying why', async () => {
    const { run, operation } = await finishedRun([{ rows: ['a1', 'a2'] }]);
    // The first write of the operation (with its aggregate) fails, as a value too large would.
    const { operations } = failingFirstWrite(new Error('string or blob too big'));
    expect(await summarizer(undefined, { operations }).finalize(run)).toBe(true);
    const { properties } = (await stores.operations.findById(scope, operation.id))!;
    expect(properties.status).toBe('succeeded');
    expect(properties.result?.result).toEqual([]);
    expect(properties.result?.exception).toMatch(
      /^The run's aggregate of 2 rows could not be saved; the tenants' own rows are in results/,
    );
    expect((await stores.queue.find(run))!.state).toBe('finished');
  });

  it('runs the unit again when the operation changed under it, and keeps the aggregate', async () => {
    const { run, operation } = await finishedRun([{ rows: ['a1', 'a2'] }]);
    // Another write of the operation wins the race once (a PATCH of its name, say).
    const raced = failingFirstWrite(
      new ConcurrentChangeError('managedTenantOperation', operation.id),
    );
    expect(await summarizer(undefined, { operations: raced.operations }).finalize(run)).toBe(true);
    expect(raced.writes()).toBe(2);
    const { properties } = (await stores.operations.findById(scope, operation.id))!;
    expect(properties.status).toBe('succeeded');
    expect(properties.result?.result).toEqual(['a1', 'a2']);
    expect(properties.result?.exception).toBeNull();
    expect((await stores.queue.find(run))!.state).toBe('finished');
  });

  it('does nothing for an operation deleted meanwhile', async () => {
    const { run, operation } = await finishedRun([{ rows: ['a'] }]);
    await stores.operations.delete(scope, operation.id);
    expect(await summarizer().finalize(run)).toBe(false);
  });
});
