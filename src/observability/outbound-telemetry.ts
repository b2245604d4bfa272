import { Injectable } from '@nestjs/common';
import {
  OutboundCallWatch,
  OutboundObserver,
  OutboundRequest,
  Upstream,
} from '../integrations/outbound-call';
import { ServiceMetrics } from './service-metrics';

/**
 * What every outbound call (Graph, the token endpoint, webhook receivers) reports: counted and
 * timed by upstream and status class, 429s and the Retry-After waited counted. An upstream is
 * named by its role, never by its host (a webhook's host is a client's choice).
 */
@Injectable()
export class OutboundTelemetry implements OutboundObserver {
  constructor(private readonly metrics: ServiceMetrics) {}

  begin(request: OutboundRequest): OutboundCallWatch {
    const started = performance.now();
    this.metrics.callStarted(request.upstream);
    return {
      end: (status) =>
        this.metrics.callEnded(request.upstream, status, performance.now() - started),
    };
  }

  retrying(upstream: Upstream, failedStatus: number, waitMs: number, retryAfter: boolean): void {
    this.metrics.retrying(upstream, failedStatus, retryAfter ? waitMs : undefined);
  }
}
