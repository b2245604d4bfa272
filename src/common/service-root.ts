import { FastifyRequest } from 'fastify';

/** The service root: the URL that `$metadata` and entity sets are relative to. */
export const SERVICE_ROOT_PATH = '/beta';

/**
 * The absolute service root for building `@odata.context` and `Location`: PUBLIC_BASE_URL when
 * configured (a deployment behind a proxy), else the scheme and Host of the request.
 */
export function serviceRootUrl(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? `${request.protocol}://${request.host}`;
  return `${base}${SERVICE_ROOT_PATH}`;
}

/** The raw query string of a request (after `?`), still percent-encoded: OData parses it itself. */
export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index < 0 ? '' : request.url.slice(index + 1);
}
