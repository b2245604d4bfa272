import { FastifyInstance } from 'fastify';
import { ServiceMetrics } from './service-metrics';

/**
 * Every answered request (the inner requests of a $batch too) counted and timed by its route
 * template, method and status class, once its last byte is written.
 */
export function registerRequestTelemetry(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.requestAnswered(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });
}
