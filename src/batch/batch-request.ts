import { InvalidRequestError } from '../common/errors';
import { SERVICE_ROOT_PATH } from '../common/service-root';

export const NESTED_BATCH_MESSAGE = 'A $batch cannot run inside another $batch.';

/** Graph's limit on requests in one JSON batch. */
export const MAX_BATCH_REQUESTS = 20;

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

/** One request of a JSON batch (OData JSON Format 4.01 §19.1; Microsoft Graph JSON batching). */
export interface BatchItem {
  readonly id: string;
  readonly method: string;
  /** Relative to the service root, without a leading slash: `managedTenantOperations('…')`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly dependsOn: readonly string[];
  readonly atomicityGroup?: string;
}

/**
 * Checks a JSON batch request body and returns its requests in order. A malformed batch is one
 * 400 for the whole batch (nothing runs): not an object, no `requests` array, more than 20
 * requests, a request without id, method or url, an id used twice, a `dependsOn` that names no
 * earlier request or group, a group whose requests are not adjacent, an absolute URL.
 */
export function parseBatch(body: unknown): BatchItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('A JSON batch must be an object with a "requests" array.');
  }
  const requests = (body as { requests?: unknown }).requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new InvalidRequestError('A JSON batch needs a non-empty "requests" array.');
  }
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new InvalidRequestError(
      `A JSON batch can hold at most ${MAX_BATCH_REQUESTS} requests, not ${requests.length}.`,
    );
  }
  const seenIds = new Set<string>();
  const closedGroups = new Set<string>();
  let openGroup: string | undefined;
  const items: BatchItem[] = [];
  requests.forEach((raw: unknown, index) => {
    const where = `requests[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InvalidRequestError(`${where} must be an object.`);
    }
    const request = raw as Record<string, unknown>;
    const id = request.id;
    if (typeof id !== 'string' || id === '')
      throw new InvalidRequestError(`${where}.id must be a non-empty string.`);
    if (seenIds.has(id) || closedGroups.has(id))
      throw new InvalidRequestError(`The batch id '${id}' is used twice.`);
    const method = typeof request.method === 'string' ? request.method.toUpperCase() : undefined;
    if (!method || !METHODS.has(method)) {
      throw new InvalidRequestError(`${where}.method must be one of ${[...METHODS].join(', ')}.`);
    }
    const url = relativeUrl(request.url, where);
    const headers = readHeaders(request.headers, where);
    const dependsOn = readDependsOn(request.dependsOn, where);
    for (const dependency of dependsOn) {
      if (!seenIds.has(dependency) && !closedGroups.has(dependency) && dependency !== openGroup) {
        throw new InvalidRequestError(
          `${where}.dependsOn names '${dependency}', which is no earlier request or group.`,
        );
      }
    }
    const group = request.atomicityGroup;
    if (group !== undefined && (typeof group !== 'string' || group === '')) {
      throw new InvalidRequestError(`${where}.atomicityGroup must be a non-empty string.`);
    }
    if (openGroup !== undefined && group !== openGroup) closedGroups.add(openGroup);
    if (group !== undefined && closedGroups.has(group)) {
      throw new InvalidRequestError(
        `The requests of the atomicity group '${group}' must be adjacent.`,
      );
    }
    if (group !== undefined && seenIds.has(group))
      throw new InvalidRequestError(`The batch id '${group}' is used twice.`);
    if (group !== undefined && dependsOn.includes(group)) {
      throw new InvalidRequestError(`${where} cannot depend on its own atomicity group.`);
    }
    openGroup = group as string | undefined;
    seenIds.add(id);
    items.push({
      id,
      method,
      url,
      headers,
      body: request.body,
      dependsOn,
      atomicityGroup: openGroup,
    });
  });
  return items;
}

function relativeUrl(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidRequestError(`${where}.url must be a non-empty string.`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('//')) {
    throw new InvalidRequestError(
      `${where}.url must be relative to the service root, like /managedTenantOperations.`,
    );
  }
  const url = value.replace(/^\/+/, '');
  if (reachesBatch(url)) throw new InvalidRequestError(`${where}.url cannot be another $batch.`);
  return url;
}

const RESOLUTION_BASE = `http://service${SERVICE_ROOT_PATH}/`;

/**
 * Whether a URL relative to the service root names `$batch` once resolved as the router will
 * resolve it: dot segments (`managedTenantOperations/../$batch`, `./$batch`), a fragment, a
 * trailing slash, percent-encoding (`%24batch`) and case are all undone before comparing. A
 * segment that cannot be decoded is not `$batch`, and the router will not find it either.
 */
export function reachesBatch(url: string): boolean {
  const { pathname } = new URL(url, RESOLUTION_BASE);
  return pathname.split('/').some((segment) => {
    try {
      return decodeURIComponent(segment).toLowerCase() === '$batch';
    } catch {
      return false;
    }
  });
}

/**
 * Headers a request of a batch takes from the batch and may not set: who calls is decided once,
 * for the whole batch (a part with another token would act as someone else).
 */
export const BATCH_OWNED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

function readHeaders(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(`${where}.headers must be an object of strings.`);
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(value)) {
    if (
      typeof header !== 'string' ||
      /[\r\n]/.test(header) ||
      !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)
    ) {
      throw new InvalidRequestError(`${where}.headers['${name}'] is not a valid header.`);
    }
    headers[name.toLowerCase()] = header;
  }
  return headers;
}

function readDependsOn(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidRequestError(`${where}.dependsOn must be an array of request ids.`);
  }
  return value as string[];
}
