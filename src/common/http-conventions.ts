import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** OData JSON Format 4.01 §3: the media type of every JSON response, with its parameters spelled out. */
export const ODATA_JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const MAX_CLIENT_REQUEST_ID_LENGTH = 256;

/** The caller's correlation id, as Graph echoes it; the request-id when the caller sent none. */
export function clientRequestId(request: FastifyRequest): string {
  const sent = request.headers['client-request-id'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && value.length <= MAX_CLIENT_REQUEST_ID_LENGTH ? value : request.id;
}

/**
 * Headers every response carries, whatever produced it (a route, the error filter, Swagger UI):
 * `request-id` (a fresh GUID: Fastify's request id), `client-request-id`, `OData-Version`, and the
 * OData JSON content type on JSON bodies.
 */
export function registerHttpConventions(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    reply.header('request-id', request.id);
    reply.header('client-request-id', clientRequestId(request));
    reply.header('OData-Version', '4.0');
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const contentType = reply.getHeader('content-type');
    // JSON whose metadata level the route did not state is minimal, the default.
    if (
      typeof contentType === 'string' &&
      /^application\/json(;|$)/i.test(contentType) &&
      !/odata\.metadata=/i.test(contentType)
    ) {
      reply.header('content-type', ODATA_JSON_CONTENT_TYPE);
    }
    done(null, payload);
  });
}
