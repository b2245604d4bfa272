import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceUnavailableError } from './errors';
import { isInnerRequest } from './inner-request';

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
