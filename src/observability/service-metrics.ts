import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Upstream } from '../integrations/outbound-call';
import { JobEvents } from '../jobs/job-events';
import { DECLARED_JOBS } from '../jobs/job-names';

/** `2xx`…`5xx`, or `none` when no answer came (a deadline, a refused connection). */
export function statusClassOf(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'none';
}

/** The methods a label may name; any other is `other` (a client may send any token there). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label sets of requests whose series is kept at hand (a bound on a client's odd methods). */
const MAX_KEPT_SERIES = 1_000;

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LONG_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];

/**
 * Node's own metrics (heap, event loop delay, GC, handles) are the process's, whatever number of
 * applications it holds (tests start many): collected once, into one registry, merged into each
 * scrape.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A value read when Prometheus scrapes (the age of the oldest waiting tenant, say). */
export type ScrapedValue = () => Promise<number | undefined>;

/**
 * The service's Prometheus metrics (prom-client), in the terms of what happens: a request
 * answered, a tenant run, a Graph call retried, a notification dropped. Every label takes values
 * from a closed list (route templates, status classes, outcomes, upstreams, job names): never a
 * tenant id, an operation id, a URL or anything else a client or an upstream chooses.
 */
@Injectable()
export class ServiceMetrics implements OnModuleDestroy {
  private readonly registry = new Registry();
  private readonly requestSeries = new Map<string, Histogram.Internal<string>>();
  private readonly stopObserving: () => void;

  private readonly httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Requests answered, by route template, method and status class, and how long they took',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly tenantsStarted = new Counter({
    name: 'mto_engine_tenants_started_total',
    help: 'Tenants of runs started by this instance',
    registers: [this.registry],
  });
  private readonly tenantsFinished = new Counter({
    name: 'mto_engine_tenants_finished_total',
    help: 'Tenants of runs finished by this instance, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly runDuration = new Histogram({
    name: 'mto_engine_run_duration_seconds',
    help: 'Runs summed up by this instance, by status, from start to end',
    labelNames: ['status'] as const,
    buckets: LONG_BUCKETS,
    registers: [this.registry],
  });
  private readonly outboundCalls = new Counter({
    name: 'mto_outbound_calls_total',
    help: 'Calls to Graph, the token endpoint and webhook receivers (each try), by status class',
    labelNames: ['upstream', 'status_class'] as const,
    registers: [this.registry],
  });
  private readonly outboundDuration = new Histogram({
    name: 'mto_outbound_call_duration_seconds',
    help: 'How long a call to an upstream took (each try)',
    labelNames: ['upstream'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly outboundInFlight = new Gauge({
    name: 'mto_outbound_calls_in_flight',
    help: 'Calls to an upstream under way now',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'mto_outbound_retries_total',
    help: 'Tries sent again, by upstream and the status class of the try that failed',
    labelNames: ['upstream', 'status_class'] as const,
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'mto_outbound_throttled_total',
    help: '429 answers, by upstream',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });
  private readonly retryAfterWaited = new Counter({
    name: 'mto_outbound_retry_after_seconds_total',
    help: 'Time waited because an upstream said Retry-After (429 or 503)',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'mto_notifications_total',
    help: 'Change notifications, by what became of them (delivered, retried, dropped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly notificationLag = new Histogram({
    name: 'mto_notification_delivery_lag_seconds',
    help: 'From the change to its notification delivered',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly scheduleFirings = new Counter({
    name: 'mto_schedule_firings_total',
    help: 'Schedule slots, by outcome (fired: a run started; skipped: the overlap policy or a run under way)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly scheduleLag = new Histogram({
    name: 'mto_schedule_firing_lag_seconds',
    help: 'From a slot to its run started',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly transactions = new Counter({
    name: 'mto_db_transactions_total',
    help: 'Database transactions, by database',
    labelNames: ['database'] as const,
    registers: [this.registry],
  });
  private readonly groupCommitSize = new Histogram({
    name: 'mto_db_group_commit_writes',
    help: 'SQLite: writes committed together in one transaction (one fsync)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  private readonly jobClaims = new Counter({
    name: 'mto_job_claimed_total',
    help: 'Units of work a background job claimed (tenants, notifications, slots), by job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  private readonly jobCompletions = new Counter({
    name: 'mto_job_completed_total',
    help: 'Units of work a background job completed, by job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  private readonly jobFailures = new Counter({
    name: 'mto_job_failures_total',
    help: 'Failures a background job caught and reported, by job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  private readonly jobLag = new Gauge({
    name: 'mto_job_claim_lag_seconds',
    help: 'How long the oldest unit of work of the last claim had waited, by job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  constructor(events: JobEvents) {
    for (const job of DECLARED_JOBS) {
      // Zeroes from the start, so that a rate over a counter that has not moved yet is 0, not empty.
      this.jobClaims.inc({ job }, 0);
      this.jobCompletions.inc({ job }, 0);
      this.jobFailures.inc({ job }, 0);
    }
    for (const outcome of ['succeeded', 'failed', 'skipped'])
      this.tenantsFinished.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'retried', 'dropped'])
      this.notifications.inc({ outcome }, 0);
    for (const outcome of ['fired', 'skipped']) this.scheduleFirings.inc({ outcome }, 0);
    this.stopObserving = events.observe({
      claimed: (job, count) => this.jobClaims.inc({ job }, count),
      completed: (job, count) => this.jobCompletions.inc({ job }, count),
      failed: (job) => this.jobFailures.inc({ job }),
      lag: (job, ms) => this.jobLag.set({ job }, ms / 1000),
    });
  }

  onModuleDestroy(): void {
    this.stopObserving();
  }

  /** The exposition text of every metric, the process's included. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    const merged = Registry.merge([this.registry, processMetrics()]);
    return { contentType: this.registry.contentType, text: await merged.metrics() };
  }

  /** A gauge whose value is read at each scrape; a reading that fails leaves the gauge empty. */
  gaugeAtScrape(name: string, help: string, read: ScrapedValue): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.reset();
        const value = await read().catch(() => undefined);
        if (value !== undefined) this.set(value);
      },
    });
  }

  requestAnswered(method: string, route: string | undefined, status: number, ms: number): void {
    // The child of each label set is kept: prom-client would otherwise hash the labels on every
    // request (there are a few hundred sets at most: routes × methods × status classes).
    const key = `${method} ${route} ${status}`;
    let child = this.requestSeries.get(key);
    if (!child) {
      child = this.httpDuration.labels({
        method: KNOWN_METHODS.has(method) ? method : 'other',
        // Fastify's route template (`/beta/managedTenantOperations/:id`); a path that matched no
        // route is not a template and may be anything.
        route: route ?? 'unmatched',
        status_class: statusClassOf(status),
      });
      if (this.requestSeries.size < MAX_KEPT_SERIES) this.requestSeries.set(key, child);
    }
    child.observe(ms / 1000);
  }

  tenantStarted(): void {
    this.tenantsStarted.inc();
  }

  tenantFinished(outcome: 'succeeded' | 'failed' | 'skipped'): void {
    this.tenantsFinished.inc({ outcome });
  }

  runFinished(status: string, ms: number): void {
    this.runDuration.observe({ status }, ms / 1000);
  }

  callStarted(upstream: Upstream): void {
    this.outboundInFlight.inc({ upstream });
  }

  callEnded(upstream: Upstream, status: number, ms: number): void {
    this.outboundInFlight.dec({ upstream });
    this.outboundCalls.inc({ upstream, status_class: statusClassOf(status) });
    this.outboundDuration.observe({ upstream }, ms / 1000);
    if (status === 429) this.throttled.inc({ upstream });
  }

  retrying(upstream: Upstream, failedStatus: number, retryAfterMs: number | undefined): void {
    this.retries.inc({ upstream, status_class: statusClassOf(failedStatus) });
    if (retryAfterMs !== undefined) this.retryAfterWaited.inc({ upstream }, retryAfterMs / 1000);
  }

  notificationsDelivered(count: number, lagMs: readonly number[]): void {
    this.notifications.inc({ outcome: 'delivered' }, count);
    for (const ms of lagMs) this.notificationLag.observe(ms / 1000);
  }

  notificationsRetried(count: number): void {
    this.notifications.inc({ outcome: 'retried' }, count);
  }

  notificationsDropped(count: number): void {
    this.notifications.inc({ outcome: 'dropped' }, count);
  }

  scheduleFired(lagMs: number): void {
    this.scheduleFirings.inc({ outcome: 'fired' });
    this.scheduleLag.observe(lagMs / 1000);
  }

  scheduleSkipped(): void {
    this.scheduleFirings.inc({ outcome: 'skipped' });
  }

  transactionStarted(database: 'sqlite' | 'postgres'): void {
    this.transactions.inc({ database });
  }

  groupCommitted(writes: number): void {
    this.groupCommitSize.observe(writes);
  }
}
