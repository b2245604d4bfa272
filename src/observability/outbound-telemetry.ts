import { Injectable } from '@nestjs/common';
import {
  OutboundCallWatch,
  OutboundObserver,
  OutboundRequest,
  Upstream,
} from '../integrations/outbound-call';
import { ServiceMetrics } from './service-metrics';
import { SpanKind, SpanStatusCode, Tracing } from './tracing';

/**
 * What every outbound call (Graph, the token endpoint, webhook receivers) reports: counted and
 * timed by upstream and status class, 429s and the Retry-After waited counted; and, when traced,
 * a client span per try (method, URL without its query, status, attempt) whose `traceparent` the
 * call sends. An upstream is named by its role in metrics, never by its host (a webhook's host is
 * a client's choice).
 */
@Injectable()
export class OutboundTelemetry implements OutboundObserver {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly tracing: Tracing,
  ) {}

  begin(request: OutboundRequest, attempt: number): OutboundCallWatch {
    const started = performance.now();
    this.metrics.callStarted(request.upstream);
    const span = this.tracing.enabled ? this.spanOf(request, attempt) : undefined;
    return {
      headers: span ? this.tracing.headersOf(this.tracing.contextWith(span)) : undefined,
      end: (status, failure) => {
        this.metrics.callEnded(request.upstream, status, performance.now() - started);
        if (!span) return;
        if (status) span.setAttribute('http.response.status_code', status);
        if (failure) span.setAttribute('error.type', failure);
        if (failure || status >= 400)
          span.setStatus({ code: SpanStatusCode.ERROR, message: failure ?? String(status) });
        span.end();
      },
    };
  }

  retrying(upstream: Upstream, failedStatus: number, waitMs: number, retryAfter: boolean): void {
    this.metrics.retrying(upstream, failedStatus, retryAfter ? waitMs : undefined);
  }

  private spanOf(request: OutboundRequest, attempt: number) {
    const url = new URL(request.url);
    return this.tracing.start(`${request.method}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method,
        // Without the query (a statement's filter, a token's parameters) or credentials.
        'url.full': `${url.origin}${url.pathname}`,
        'server.address': url.hostname,
        'http.request.resend_count': attempt - 1,
        'mto.upstream': request.upstream,
      },
    });
  }
}
