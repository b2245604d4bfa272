import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  Attributes,
  context,
  Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { AppConfigService } from '../config/app-config.service';
import { TracingConfig } from '../config/app-config';
import { serviceVersion } from '../logging/startup-lines';

export { SpanKind, SpanStatusCode };
export type { Span, Context };

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent: the active context unless given (a run's stored traceparent, say). */
  readonly parent?: Context;
}

/**
 * OpenTelemetry traces (the SDK for Node, exported over OTLP/HTTP) when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set; otherwise every method is a cheap no-op. The application's own tracer provider, not
 * the global one: a process may hold several applications (tests do), each with its settings.
 * The context manager (AsyncLocalStorage) is the process's, set once.
 *
 * Spans carry what an operator needs to follow a request or a run (route, status, tenant and
 * operation ids, upstream, URL path, attempt) and never a token, a secret, a request or response
 * body, a query string or a subscription's clientState; an error is recorded by its class
 * name, never by its message (which may quote what an upstream said).
 */
@Injectable()
export class Tracing implements OnApplicationShutdown {
  private readonly provider?: NodeTracerProvider;
  private readonly tracer?: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(@Inject(AppConfigService) config: AppConfigService) {
    const settings = config.values.tracing;
    if (!settings) return;
    useAsyncContext();
    const { name, version } = serviceVersion();
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        ...settings.resourceAttributes,
        'service.name': settings.serviceName,
        'service.version': version,
      }),
      sampler: samplerOf(settings),
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: settings.url,
            headers: { ...settings.headers },
            timeoutMillis: settings.timeoutMs,
          }),
          {
            scheduledDelayMillis: settings.scheduleDelayMs,
            maxQueueSize: settings.maxQueueSize,
            maxExportBatchSize: Math.min(settings.maxExportBatchSize, settings.maxQueueSize),
            exportTimeoutMillis: settings.timeoutMs,
          },
        ),
      ],
    });
    this.tracer = this.provider.getTracer(name, version);
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Whether a span is active (work that is part of a trace). */
  get inTrace(): boolean {
    return this.tracer !== undefined && trace.getSpan(context.active()) !== undefined;
  }

  /** Starts a span (none when tracing is off); the caller ends it. */
  start(name: string, options: SpanOptions = {}): Span | undefined {
    return this.tracer?.startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
      options.parent ?? context.active(),
    );
  }

  /** `parent` (the active context by default) with `span` as its current span. */
  contextWith(span: Span, parent: Context = context.active()): Context {
    return trace.setSpan(parent, span);
  }

  /** Runs `work` with `active` as the active context. */
  within<T>(active: Context, work: () => T): T {
    return context.with(active, work);
  }

  /**
   * Runs `work` in a span of its own (the child of `options.parent`, or of the active span),
   * ending it when the work settles; a failure marks the span an error by its class name.
   */
  async inSpan<T>(
    name: string,
    options: SpanOptions,
    work: (span: Span | undefined) => Promise<T>,
  ): Promise<T> {
    const span = this.start(name, options);
    if (!span) return work(undefined);
    try {
      return await context.with(this.contextWith(span, options.parent), () => work(span));
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** The context a request's `traceparent` (and `tracestate`) say, over `base`. */
  extract(headers: Record<string, unknown>, base: Context = context.active()): Context {
    if (!this.tracer) return base;
    return this.propagator.extract(base, headers, defaultTextMapGetter);
  }

  /** The context a stored traceparent says (a run's), or the root when there is none. */
  contextOf(traceparent: string | null | undefined): Context {
    if (!this.tracer || !traceparent) return ROOT_CONTEXT;
    return this.propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
  }

  /** The W3C headers (`traceparent`) of `active`'s span: what an outbound call sends. */
  headersOf(active: Context = context.active()): Record<string, string> {
    const carrier: Record<string, string> = {};
    if (this.tracer) this.propagator.inject(active, carrier, defaultTextMapSetter);
    return carrier;
  }

  /** The active span's traceparent, to be stored with what continues it later (a run). */
  currentTraceparent(): string | undefined {
    return this.headersOf().traceparent;
  }

  /** Sends the spans still waiting, then stops: the last spans of a stop are not lost. */
  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown().catch(() => undefined);
  }
}

/** Marks a span failed by the error's class name (its message may quote an upstream). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.constructor.name : 'Error',
  });
}

/** The trace id of the active span, for log lines (none when nothing is traced). */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getSpanContext(context.active());
  return span && span.traceFlags !== undefined
    ? { traceId: span.traceId, spanId: span.spanId }
    : undefined;
}

let asyncContextSet = false;
function useAsyncContext(): void {
  if (asyncContextSet) return;
  asyncContextSet = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

function samplerOf(settings: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.sampler.ratio);
  switch (settings.sampler.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
