import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { clientRequestId } from '../common/http-conventions';
import { CompletedRequest, CompletedRequestLine } from './completed-request-line';
import { DeferredLine } from './turn-batched-destination';
import { traceIdOf } from '../observability/request-telemetry';

/**
 * Fastify's per-request log lines, reshaped: one `request completed` line per request (inner
 * requests of a $batch included) with request-id, client-request-id, tenant, user, method, route,
 * path, status and duration, and a `request received` line at debug level. The request's own
 * logger already carries `requestId`. Never the query string (it can hold what a client filters
 * by), never a header, never a body.
 *
 * Given `deferredLines` (the process's stdout, src/logging/logger.ts), a `request completed` line
 * is handed to it to be made when the turn's lines are written, rather than made by pino now.
 */
export class RequestLogController extends LogController {
  constructor(
    options: ConstructorParameters<typeof LogController>[0],
    private readonly deferredLines?: { write(line: DeferredLine): void },
  ) {
    super(options);
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, path: pathOf(request) }, 'request received');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const caller = (request as FastifyRequest & AuthenticatedRequest).caller;
    const completed: CompletedRequest = {
      requestId: String(request.id),
      traceId: traceIdOf(request),
      clientRequestId: clientRequestId(request),
      tenant: caller?.tenantId,
      user: caller?.userId,
      method: request.method,
      route: request.routeOptions.url,
      path: pathOf(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (!error && this.deferredLines) {
      this.deferredLines.write(new CompletedRequestLine(completed));
      return;
    }
    // The request's pino logger carries requestId already.
    const fields: Partial<CompletedRequest> = { ...completed, requestId: undefined };
    if (error) reply.log.error({ ...fields, err: error }, 'request failed');
    else reply.log.info(fields, 'request completed');
  }

  // Fastify's defaults for these log the raw URL (query string included); the error filter and
  // the `request completed` line say what an operator needs.
  override defaultErrorLog(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) reply.log.error({ err: error }, 'unhandled error');
  }

  override routeNotFound(): void {}

  override writeHeadError(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn({ err: error }, 'could not write the response head');
  }
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}
