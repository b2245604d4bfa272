import { FastifyInstance } from 'fastify';
import { deferBodyError } from '../common/deferred-body-error';
import { UnsupportedMediaTypeError } from '../common/errors';
import { MultipartBatchBody } from './multipart-batch';

/** The Fastify route option (Nest's `@RouteConfig`) of the one route that reads multipart/mixed. */
export const READS_MULTIPART_BATCH = { readsMultipartBatch: true } as const;

/**
 * multipart/mixed bodies, read as text within the body limit and handed over whole to the $batch
 * route; any other route answers them 415 (after authentication, as every body error).
 */
export function registerMultipartBatchParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('multipart/mixed', { parseAs: 'string' }, (request, body, done) => {
    const config = request.routeOptions.config as Partial<typeof READS_MULTIPART_BATCH>;
    if (!config.readsMultipartBatch) {
      deferBodyError(
        request,
        new UnsupportedMediaTypeError(
          'The request body must be application/json; multipart/mixed is for $batch only.',
        ),
      );
      return done(null, undefined);
    }
    done(null, new MultipartBatchBody(request.headers['content-type'] ?? '', body as string));
  });
}
