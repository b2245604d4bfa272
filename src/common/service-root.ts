import { FastifyRequest } from 'fastify';
import { requestOrigin } from './inner-request';

/** The service root: the URL that `$metadata` and entity sets are relative to. */
export const SERVICE_ROOT_PATH = '/beta';

/**
 * The absolute service root for building `@odata.context` and `Location`: PUBLIC_BASE_URL when
 * configured, else the scheme and host the client called (see `requestOrigin`).
 */
export function serviceRootUrl(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? requestOrigin(request);
  return `${base}${SERVICE_ROOT_PATH}`;
}

/** The raw query string of a request (after `?`), still percent-encoded: OData parses it itself. */
export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index < 0 ? '' : request.url.slice(index + 1);
}

/**
 * Where the live service serves the family, below `/beta` (Microsoft 365 Lighthouse's home in
 * Graph): the entity sets are served there too.
 */
export const LIVE_SERVICE_PATH = 'tenantRelationships/managedTenants';
