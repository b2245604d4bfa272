import { EngineStores, PARTNER, tenantIds } from '../../../test/support/engine-stores';
import { RunRecord, TenantTask } from '../../database/stores/run-queue.store';
import { EngineErrors } from './engine-errors';
import { RowOwner, TenantCompletion } from './engine-types';
import { CompletionWriter, FLUSH_INTERVAL_MS, MAX_WRITE_ATTEMPTS } from './completion-writer';
import { ownerOf } from './run-plans';
import { RunRows } from './run-rows';

describe('CompletionWriter (a real SQLite store, a manual clock)', () => {
  let stores: EngineStores;
  let finishing: RunRecord[];
  let written: number;
  let writer: CompletionWriter;
  let belongsTo: RowOwner;

  beforeEach(async () => {
    stores = await EngineStores.open();
    finishing = [];
    written = 0;
    writer = new CompletionWriter(
      new RunRows(stores.results, stores.httpRequests, stores.clock),
      stores.queue,
      stores.clock,
      'worker-a',
      30_000,
      new EngineErrors([]),
      {
        finishing: (runs) => {
          finishing.push(...runs);
          return Promise.resolve();
        },
        written: () => (written += 1),
        completed: () => undefined,
      },
    );
  });
  afterEach(() => stores.close());

  /** A run of `count` tenants, all claimed by worker-a. */
  async function claimedRun(count: number): Promise<TenantTask[]> {
    const operation = await stores.operation();
    belongsTo = ownerOf(operation);
    await stores.startRun(operation.id, tenantIds(count));
    return stores.claim(count);
  }

  function succeeded(task: TenantTask, rows = ['{"id":1}']): TenantCompletion {
    return {
      task,
      belongsTo,
      result: { isSuccess: true, rows, bytes: 8, exception: null, executionInfo: 'ok' },
      httpCalls: [
        {
          attempt: 1,
          statusCode: 200,
          request: { method: 'GET', url: 'https://graph/v1.0/users' },
        },
      ],
      outcome: 'succeeded',
      message: null,
      calls: 1,
    };
  }

  const scope = { tenantId: PARTNER };

  it('writes the tenants that finished within an interval together, then hands the run on', async () => {
    const tasks = await claimedRun(3);
    for (const task of tasks) writer.add(succeeded(task));
    expect(writer.waiting).toBe(3);
    expect(writer.bytesWaiting).toBe(24);
    await stores.clock.advance(FLUSH_INTERVAL_MS - 1);
    expect(
      await stores.results.findByIds(
        scope,
        tasks.map((t) => t.resultId),
      ),
    ).toHaveLength(0);
    await stores.clock.advance(1);
    const rows = await stores.results.findByIds(
      scope,
      tasks.map((t) => t.resultId),
    );
    expect(rows.map((row) => row.properties.result)).toEqual([
      ['{"id":1}'],
      ['{"id":1}'],
      ['{"id":1}'],
    ]);
    expect(await stores.httpRequests.count(scope, {})).toBe(3);
    expect(writer.waiting).toBe(0);
    expect(writer.bytesWaiting).toBe(0);
    expect(written).toBe(1);
    // The run has no tenant left: this worker sums it up.
    expect(finishing.map((run) => run.operationId)).toEqual([tasks[0].operationId]);
    const progress = await stores.queue.progress(finishing[0]);
    expect(progress).toMatchObject({ total: 3, succeeded: 3, pending: 0, calls: 3 });
  });

  it('writes at once when told (the last tenants of a run are not held back)', async () => {
    const [task] = await claimedRun(1);
    writer.add(succeeded(task));
    writer.flushNow();
    await stores.clock.advance(0);
    expect(await stores.results.findById(scope, task.resultId)).toBeDefined();
  });

  it(`tries a failing write ${MAX_WRITE_ATTEMPTS} times, then records the tenant as failed without its rows`, async () => {
    const tasks = await claimedRun(2);
    await stores.dataSource.query(
      `CREATE TRIGGER refuse_successes BEFORE INSERT ON "managed_tenant_operation_results"
       WHEN NEW."isSuccess" = 1 BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`,
    );
    for (const task of tasks) writer.add(succeeded(task));
    // One attempt per interval (a refusing database is not retried in a busy loop).
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      await stores.clock.advance(FLUSH_INTERVAL_MS);
      expect(writer.waiting).toBe(2);
    }
    expect(await stores.results.count(scope, {})).toBe(0);
    await stores.clock.advance(FLUSH_INTERVAL_MS);
    const rows = await stores.results.findByIds(
      scope,
      tasks.map((t) => t.resultId),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.properties.isSuccess).toBe(false);
      expect(row.properties.result).toEqual([]);
      expect(row.properties.exception).toMatch(
        /^The tenant's result could not be saved after 5 attempts; it is recorded as failed, without its rows \(error id [0-9a-f-]{36}\)\.$/,
      );
    }
    expect(finishing).toHaveLength(1);
    expect(await stores.queue.progress(finishing[0])).toMatchObject({ failed: 2, pending: 0 });
  });

  it('drains what waits at shutdown, without waiting for the interval', async () => {
    const [task] = await claimedRun(1);
    writer.add(succeeded(task));
    await writer.drain();
    expect(await stores.results.findById(scope, task.resultId)).toBeDefined();
  });
});
