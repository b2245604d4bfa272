import { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceMetrics } from './service-metrics';
import { Context, failed, Span, SpanKind, Tracing } from './tracing';

interface RequestSpan {
  readonly span: Span;
  readonly active: Context;
}

const requestSpans = new WeakMap<FastifyRequest, RequestSpan>();

/** The trace id of a request's span, for its `request completed` line (none when untraced). */
export function traceIdOf(request: FastifyRequest): string | undefined {
  return requestSpans.get(request)?.span.spanContext().traceId;
}

/**
 * Every answered request (the inner requests of a $batch too) counted and timed (unless
 * METRICS_ENABLED=0) by its route
 * template, method and status class, once its last byte is written; and, when traced, a server
 * span per request, the child of the `traceparent` it came with (or of the $batch that holds it),
 * active while the request is handled so that what it does (transactions, a run it starts) joins
 * its trace.
 */
export function registerRequestTelemetry(
  fastify: FastifyInstance,
  metrics: ServiceMetrics | undefined,
  tracing: Tracing,
): void {
  if (!metrics && !tracing.enabled) return;
  if (tracing.enabled) {
    fastify.addHook('onRequest', (request, _reply, done) => {
      const parent = tracing.extract(request.headers);
      const span = tracing.start(request.method, {
        kind: SpanKind.SERVER,
        parent,
        attributes: {
          'http.request.method': request.method,
          'url.path': pathOf(request.url),
          'url.scheme': request.protocol,
        },
      })!;
      const active = tracing.contextWith(span, parent);
      requestSpans.set(request, { span, active });
      tracing.within(active, done);
    });
    // A request's body is read on the socket's events: the handler is entered in its span again.
    fastify.addHook('preHandler', (request, _reply, done) => {
      const found = requestSpans.get(request);
      if (found) tracing.within(found.active, done);
      else done();
    });
  }
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    metrics?.requestAnswered(request.method, route, reply.statusCode, reply.elapsedTime);
    const found = requestSpans.get(request);
    if (found) {
      if (route) {
        found.span.setAttribute('http.route', route);
        found.span.updateName(`${request.method} ${route}`);
      }
      found.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) failed(found.span, new Error());
      found.span.end();
    }
    done();
  });
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
