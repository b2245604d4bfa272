import { TestApp, ENTITY_SET, startListening } from './support/test-app';
import {
  createOperation,
  engineEnv,
  finished,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { newOperation } from './support/operation-factory';
import { freePort } from './support/processes';
import { samplesOf, scrapeWhen, valueOf } from './support/metrics';

/**
 * Every label a metric of ours may carry, with the values it may take: a closed list each, so
 * that no tenant id, operation id, URL or other unbounded value becomes a time series. (Node's
 * own metrics carry a few labels of their own: the GC kind, heap space, version.)
 */
const ALLOWED_LABELS: Record<string, RegExp> = {
  method: /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|other)$/,
  // A route template: path segments and `:params`, never a GUID or a key value.
  route: /^(unmatched|\/[A-Za-z0-9_.$/:*()-]*)$/,
  status_class: /^([1-5]xx|none)$/,
  outcome: /^(succeeded|failed|skipped|delivered|retried|dropped|fired)$/,
  status: /^(succeeded|failed|cancelled)$/,
  upstream: /^(graph|tokenEndpoint|webhook)$/,
  job: /^(operationRuns|changeNotifications|changeFeedPurge|schedules|tenantDirectory|auditLogPurge|walCheckpoint)$/,
  database: /^(sqlite|postgres)$/,
  le: /^([0-9.e+-]+|\+Inf)$/,
  kind: /^[a-z]+$/,
  space: /^[a-z_]+$/,
  // Node's resource and handle kinds (class names such as PipeWrap).
  type: /^[A-Za-z]+$/,
  version: /^v[0-9.]+$/,
  major: /^[0-9]+$/,
  minor: /^[0-9]+$/,
  patch: /^[0-9]+$/,
};
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('Prometheus metrics at /metrics', () => {
  jest.setTimeout(60_000);

  describe('on the API port, open', () => {
    let simulator: RunningSimulator;
    let app: TestApp;
    beforeAll(async () => {
      simulator = await startSimulator({ tenants: 6, forbiddenTenants: 2 });
      app = await TestApp.start(engineEnv(simulator));
    });
    afterAll(async () => {
      await app.dispose();
      await simulator.close();
    });

    it('counts requests by route template, the engine, Graph calls, retries and 429s, the database and the process, with bounded labels only', async () => {
      const tenants = simulator.customerTenantIds;
      // One tenant is throttled twice (Retry-After 0) before it answers.
      simulator.faultsOf(tenants[3]).throttle = 2;
      const id = await createOperation(
        app,
        runnableOperation('GET /v1.0/users?$select=id', tenants),
      );
      expect((await app.get(`${ENTITY_SET}/${id}`)).statusCode).toBe(200);
      expect(
        (await app.get(`${ENTITY_SET}/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`))
          .statusCode,
      ).toBe(404);
      expect((await runOperation(app, id)).statusCode).toBe(202);
      const done = await finished(app, id);
      expect(done.status).toBe('failed');

      const scrape = await app.inject({ method: 'GET', url: '/metrics', headers: {} });
      expect(scrape.statusCode).toBe(200);
      expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const samples = await scrapeWhen(
        app,
        (scraped) => valueOf(scraped, 'mto_engine_run_duration_seconds_count') > 0,
      );

      expect(
        valueOf(samples, 'http_server_request_duration_seconds_count', {
          method: 'POST',
          route: '/beta/managedTenantOperations',
          status_class: '2xx',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        valueOf(samples, 'http_server_request_duration_seconds_count', {
          method: 'GET',
          route: '/beta/managedTenantOperations/:id',
          status_class: '4xx',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'mto_engine_tenants_started_total')).toBeGreaterThanOrEqual(6);
      expect(valueOf(samples, 'mto_engine_tenants_finished_total', { outcome: 'succeeded' })).toBe(
        4,
      );
      expect(valueOf(samples, 'mto_engine_tenants_finished_total', { outcome: 'failed' })).toBe(2);
      expect(valueOf(samples, 'mto_engine_run_duration_seconds_count', { status: 'failed' })).toBe(
        1,
      );
      expect(
        valueOf(samples, 'mto_outbound_calls_total', { upstream: 'graph', status_class: '2xx' }),
      ).toBeGreaterThanOrEqual(4);
      expect(
        valueOf(samples, 'mto_outbound_calls_total', { upstream: 'graph', status_class: '4xx' }),
      ).toBeGreaterThanOrEqual(4);
      expect(
        valueOf(samples, 'mto_outbound_calls_total', { upstream: 'tokenEndpoint' }),
      ).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'mto_outbound_throttled_total', { upstream: 'graph' })).toBe(2);
      expect(
        valueOf(samples, 'mto_outbound_retries_total', { upstream: 'graph', status_class: '4xx' }),
      ).toBe(2);
      expect(samples.some((s) => s.name === 'mto_outbound_retry_after_seconds_total')).toBe(true);
      expect(samples.some((s) => s.name === 'mto_outbound_calls_in_flight')).toBe(true);
      expect(samples.some((s) => s.name === 'mto_engine_queue_lag_seconds')).toBe(true);
      expect(
        valueOf(samples, 'mto_job_claimed_total', { job: 'operationRuns' }),
      ).toBeGreaterThanOrEqual(6);
      expect(valueOf(samples, 'mto_db_transactions_total')).toBeGreaterThan(0);
      for (const name of [
        'mto_notifications_total',
        'mto_schedule_firings_total',
        'process_cpu_user_seconds_total',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_p99_seconds',
      ]) {
        expect(samples.some((sample) => sample.name === name)).toBe(true);
      }

      // The label sets: every label known, every value from its closed list, no id anywhere.
      const secretValues = [id, ...tenants, simulator.partnerTenantId];
      for (const sample of samples) {
        for (const [label, value] of Object.entries(sample.labels)) {
          expect({ label, value, ok: ALLOWED_LABELS[label]?.test(value) ?? false }).toEqual({
            label,
            value,
            ok: true,
          });
          expect(GUID.test(value)).toBe(false);
          expect(secretValues.some((secret) => value.includes(secret))).toBe(false);
        }
      }
    });
  });

  describe('with METRICS_TOKEN', () => {
    let app: TestApp;
    beforeAll(async () => (app = await TestApp.start({ METRICS_TOKEN: 'scrape-secret-1' })));
    afterAll(() => app.dispose());

    it('asks for the token as a bearer token: 401 with an OData error without it or with another', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${app.defaultToken}`]) {
        const refused = await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: authorization ? { authorization } : {},
        });
        expect(refused.statusCode).toBe(401);
        expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm=/);
        expect(refused.json().error.code).toBe('InvalidAuthenticationToken');
      }
      const scraped = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret-1' },
      });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain('# TYPE http_server_request_duration_seconds histogram');
    });
  });

  it('with METRICS_ENABLED=0, is not served', async () => {
    const app = await TestApp.start({ METRICS_ENABLED: '0' });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await app.dispose();
    }
  });

  it('with METRICS_PORT, is served on that port and not on the API port', async () => {
    const metricsPort = await freePort();
    const listening = await startListening({ METRICS_PORT: String(metricsPort) });
    try {
      const created = await fetch(`${listening.baseUrl}${ENTITY_SET}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${listening.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(newOperation()),
      });
      expect(created.status).toBe(201);
      expect((await fetch(`${listening.baseUrl}/metrics`)).status).toBe(404);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      const samples = samplesOf(await scraped.text());
      expect(
        valueOf(samples, 'http_server_request_duration_seconds_count', {
          method: 'POST',
          route: '/beta/managedTenantOperations',
        }),
      ).toBe(1);
    } finally {
      await listening.close();
    }
    // Closed with the application.
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});
