import { randomBytes } from 'node:crypto';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceUnavailableError } from './errors';

/**
 * Marks the requests a $batch runs inside the process, so that they are served while the server
 * drains: a batch that was accepted finishes. The mark is random per process, so no client can
 * forge it.
 */
export const INNER_REQUEST_HEADER = 'x-mto-inner-request';
export const INNER_REQUEST_MARK = randomBytes(16).toString('hex');

/** Whether a request is one that a $batch runs (never true of what a client sends). */
export function isInnerRequest(request: FastifyRequest): boolean {
  return request.headers[INNER_REQUEST_HEADER] === INNER_REQUEST_MARK;
}

/**
 * Graceful shutdown, the HTTP part: once the server starts closing, requests that arrive on
 * connections still open get 503 `serviceNotAvailable` with Retry-After and `Connection: close`
 * (a load balancer sends them elsewhere), while requests already in flight finish. (Fastify's own
 * 503 on closing is turned off for this: it would answer a batch's inner requests too, and
 * without a Graph error body.)
 */
export function registerDraining(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (closing && !isInnerRequest(request)) {
      reply.header('connection', 'close').header('retry-after', '1');
      done(new ServiceUnavailableError('The service is shutting down; send the request again.'));
      return;
    }
    done();
  });
  // A response finished while draining closes its connection, so that keep-alive connections of
  // requests that were in flight do not hold the server open until their idle timeout.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
