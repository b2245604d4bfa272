import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { engineEnv, runnableOperation, startSimulator } from './support/engine';
import { OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { ENTITY_SET, tokenFor } from './support/test-app';

const SERVER = 2;
const CLIENT = 3;
const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);

async function until<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The service runs as a process of its own, as in production: the OTLP exporter loads Node's
 * http module with a dynamic import, which jest's module sandbox does not allow.
 */
(ON_POSTGRES ? describe.skip : describe)(
  'OpenTelemetry traces (OTLP/HTTP to a collector on loopback)',
  () => {
    jest.setTimeout(120_000);
    let receiver: OtlpReceiver;
    let simulator: RunningSimulator;
    let service: ServiceProcess;
    let folder: string;
    let base: string;
    let token: string;

    const call = (
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: unknown,
    ) =>
      fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      simulator = await startSimulator({ tenants: 3 });
      folder = mkdtempSync(join(tmpdir(), 'mto-tracing-'));
      const port = await freePort();
      const databasePath = join(folder, 'traced.sqlite');
      service = await startServiceProcess({
        ...engineEnv(simulator),
        PORT: String(port),
        DATABASE_PATH: databasePath,
        LOG_PRETTY: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_SERVICE_NAME: 'mto-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      });
      base = `http://127.0.0.1:${port}`;
      token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
    });
    afterAll(async () => {
      service.child.kill('SIGTERM');
      await service.exited;
      await simulator.close();
      await receiver.close();
      rmSync(folder, { recursive: true, force: true });
    });

    it('makes a run one trace: the run request, the run, each tenant, each Graph call and the transactions, with traceparent honoured and sent, and no secret', async () => {
      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      const body = runnableOperation('GET /v1.0/users?$top=2', simulator.customerTenantIds);
      const dapToken = (body.credentials as { dapAccessToken: string }).dapAccessToken;
      const created = await call('POST', ENTITY_SET, {}, body);
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { id: string }).id;
      const run = await call('POST', `${ENTITY_SET}/${id}/run`, {
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      });
      expect(run.status).toBe(202);
      const done = await until(
        async () => (await (await call('GET', `${ENTITY_SET}/${id}`)).json()) as { status: string },
        (operation) => operation.status !== 'running',
      );
      expect(done.status).toBe('succeeded');

      const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
      const spans = await until(inTrace, (found) =>
        found.some((span) => span.name === 'run summary'),
      );
      const named = (name: string) => spans.filter((span) => span.name === name);
      const byId = new Map(spans.map((span) => [span.spanId, span]));

      // The request, the child of the caller's span.
      const [request] = spans.filter((span) => span.kind === SERVER && /\/run$/.test(span.name));
      expect(request).toMatchObject({
        name: 'POST /beta/managedTenantOperations/:id/run',
        parentSpanId: callerSpanId,
        attributes: expect.objectContaining({
          'http.request.method': 'POST',
          'http.route': '/beta/managedTenantOperations/:id/run',
          'http.response.status_code': 202,
        }),
        resource: expect.objectContaining({
          'service.name': 'mto-under-test',
          'deployment.environment': 'test',
        }),
      });
      // The run, the child of the request; each tenant and the summary, children of the run.
      const [runSpan] = named('run managedTenantOperation');
      expect(runSpan.parentSpanId).toBe(request.spanId);
      expect(runSpan.attributes).toMatchObject({ 'mto.operation.id': id, 'mto.run.number': 1 });
      const tenants = named('tenant');
      expect(tenants.map((span) => span.attributes['mto.tenant.id']).sort()).toEqual(
        [...simulator.customerTenantIds].sort(),
      );
      expect(tenants.every((span) => span.parentSpanId === runSpan.spanId)).toBe(true);
      expect(tenants.every((span) => span.attributes['mto.tenant.outcome'] === 'succeeded')).toBe(
        true,
      );
      expect(named('run summary')[0].parentSpanId).toBe(runSpan.spanId);
      // Each Graph call, a client span of its tenant's span, without the query string.
      const graphCalls = spans.filter(
        (span) => span.kind === CLIENT && span.attributes['mto.upstream'] === 'graph',
      );
      // (Each tenant's users come in pages of two: several calls per tenant.)
      expect(new Set(graphCalls.map((span) => span.parentSpanId)).size).toBe(3);
      for (const call of graphCalls) {
        expect(byId.get(call.parentSpanId!)?.name).toBe('tenant');
        expect(call.attributes).toMatchObject({
          'http.request.method': 'GET',
          'url.full': `${simulator.url}/v1.0/users`,
          'http.response.status_code': 200,
          'http.request.resend_count': 0,
        });
      }
      // The calls carried the trace to Graph.
      const sent = simulator.calls
        .filter((call) => call.path.startsWith('/v1.0/users'))
        .map((call) => String(call.headers.traceparent));
      expect(sent.length).toBeGreaterThanOrEqual(graphCalls.length);
      expect(sent.filter((header) => header.startsWith(`00-${traceId}-`))).toHaveLength(
        graphCalls.length,
      );
      // Each carried the span of its own call.
      const callSpanIds = new Set(graphCalls.map((span) => span.spanId));
      expect(sent.every((header) => callSpanIds.has(header.split('-')[2]))).toBe(true);
      // The database's transactions of the request and of the run.
      expect(named('db transaction').length).toBeGreaterThan(0);

      // Nothing secret in any span: the operation's token, the app's secret, Graph's tokens, the caller's.
      const exported = receiver.bodies.join('\n');
      for (const secret of [dapToken, 'test-client-secret', token, ...simulator.issuedTokens]) {
        expect(exported.includes(secret)).toBe(false);
      }
      expect(exported).not.toContain('$top=2');

      // The request's log lines and the run's carry the trace. (The run's summary is logged once
      // the run's own record is closed, a moment after the operation reads complete.)
      const isSummary = (line: Record<string, unknown>) =>
        typeof line.msg === 'string' && line.msg.startsWith(`Operation ${id} run 1:`);
      const lines = await until(
        () =>
          service
            .output()
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        (read) => read.some(isSummary),
        10_000,
      );
      const completed = lines.filter(
        (line) =>
          line.msg === 'request completed' && line.route === request.attributes['http.route'],
      );
      expect(completed.map((line) => line.traceId)).toContain(traceId);
      expect(lines.find(isSummary)?.traceId).toBe(traceId);
    });

    it("traces an allTenants run's listing of the partner's customers within the run", async () => {
      const traceId = randomBytes(16).toString('hex');
      const created = await call(
        'POST',
        ENTITY_SET,
        {},
        runnableOperation('GET /v1.0/organization', 'all'),
      );
      const id = ((await created.json()) as { id: string }).id;
      const run = await call('POST', `${ENTITY_SET}/${id}/run`, {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      });
      expect(run.status).toBe(202);
      const spans = await until(
        () => receiver.spans.filter((span) => span.traceId === traceId),
        (found) => found.some((span) => span.name === 'run summary'),
      );
      const [runSpan] = spans.filter((span) => span.name === 'run managedTenantOperation');
      const [expansion] = spans.filter((span) => span.name === 'run expansion');
      expect(expansion.parentSpanId).toBe(runSpan.spanId);
      const listing = spans.filter(
        (span) =>
          span.kind === CLIENT && span.attributes['url.full'] === `${simulator.url}/v1.0/contracts`,
      );
      expect(listing.length).toBeGreaterThan(0);
      expect(listing.every((span) => span.parentSpanId === expansion.spanId)).toBe(true);
      expect(spans.filter((span) => span.name === 'tenant')).toHaveLength(3);
    });

    it('starts a trace of its own for a request without traceparent, with the route and status', async () => {
      const path = `${ENTITY_SET}/00000000-0000-4000-8000-000000000000`;
      const missing = await call('GET', path);
      expect(missing.status).toBe(404);
      const ofRequest = () =>
        receiver.spans.filter(
          (span) => span.kind === SERVER && span.attributes['url.path'] === path,
        );
      const [server] = await until(ofRequest, (found) => found.length > 0);
      expect(server.parentSpanId).toBeUndefined();
      expect(server.name).toBe('GET /beta/managedTenantOperations/:id');
      expect(server.attributes['http.response.status_code']).toBe(404);
    });
  },
);
