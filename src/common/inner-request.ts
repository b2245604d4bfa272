import { randomBytes } from 'node:crypto';
import { FastifyRequest } from 'fastify';

/**
 * Marks the requests a $batch runs inside the process. The mark is random per process, so no
 * client can forge it: what only an inner request may carry is believed only with it.
 */
export const INNER_REQUEST_HEADER = 'x-mto-inner-request';
export const INNER_REQUEST_MARK = randomBytes(16).toString('hex');
/** The scheme and host of the batch an inner request belongs to, e.g. `https://api.contoso.com`. */
export const OUTER_ORIGIN_HEADER = 'x-mto-outer-origin';

/** Whether a request is one that a $batch runs (never true of what a client sends). */
export function isInnerRequest(request: FastifyRequest): boolean {
  return request.headers[INNER_REQUEST_HEADER] === INNER_REQUEST_MARK;
}

/**
 * The scheme and host the client called, for the URLs built from them: the socket's (https when
 * the service serves TLS) or, with TRUST_PROXY, X-Forwarded-Proto/-Host (Fastify's
 * `request.protocol` and `request.host` apply that setting). An inner request of a batch answers
 * with its batch's: Fastify's inject has no socket of its own.
 */
export function requestOrigin(request: FastifyRequest): string {
  const outer = request.headers[OUTER_ORIGIN_HEADER];
  if (typeof outer === 'string' && isInnerRequest(request)) return outer;
  return `${request.protocol}://${request.host}`;
}
