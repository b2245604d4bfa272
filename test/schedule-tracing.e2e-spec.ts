import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { engineEnv, runnableOperation, startSimulator } from './support/engine';
import { daily, eventually, MONDAY } from './support/schedules';
import { ShiftedClock } from './support/shifted-clock';
import { queryStored } from './support/stored-rows';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * A scheduled run is one trace from its firing through every tenant: the run keeps the trace
 * context of the firing's span, and each tenant's Graph calls send a traceparent of that trace.
 * (Spans are made here in the test's process; their export is checked by tracing.e2e-spec.ts,
 * which runs the service as a process of its own.)
 */
describe('a scheduled run, traced', () => {
  jest.setTimeout(60_000);
  let collector: Server;
  let simulator: RunningSimulator;
  let app: TestApp;
  const clock = new ShiftedClock(MONDAY);

  beforeAll(async () => {
    collector = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200).end('{}'));
    });
    await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
    simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    app = await TestApp.start(
      engineEnv(simulator, {
        SCHEDULES_POLL_MS: '50',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      }),
      { clock },
    );
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
    collector?.close();
  });

  it('keeps the firing span as the run’s trace context, and every tenant’s Graph call carries that trace', async () => {
    const created = await app.post({
      ...runnableOperation('GET /v1.0/organization', [...simulator.customerTenantIds]),
      schedule: daily('2027-01-01', '12:00'),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const slot = created.json<{ schedule: { nextRunDateTime: string } }>().schedule.nextRunDateTime;
    clock.set(Date.parse(slot) - 200);
    const runs = await eventually(
      async () =>
        (await app.get(`${ENTITY_SET}/${id}/runs`)).json<{ value: Array<{ status: string }> }>()
          .value,
      (found) => found.length === 1 && found[0].status !== 'running',
    );
    expect(runs[0].status).toBe('succeeded');
    const [stored] = await queryStored(
      app,
      'SELECT "traceparent" FROM "operation_runs" WHERE "operationId" = ?',
      [id],
    );
    const traceparent = String(stored.traceparent);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = traceparent.split('-')[1];
    const calls = simulator.calls.filter((call) => call.path.startsWith('/v1.0/organization'));
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(String(call.headers.traceparent).split('-')[1]).toBe(traceId);
    }
  });
});
