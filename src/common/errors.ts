/**
 * The errors any layer may throw. One exception filter turns each into its HTTP status and a
 * Microsoft Graph error body; nothing else writes error bodies. No HTTP framework is imported here.
 *
 * Codes follow Microsoft Graph's error codes where Graph has one (invalidRequest, itemNotFound,
 * generalException, ...), and a descriptive camelCase code otherwise.
 */
export abstract class ServiceError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra response headers (Allow on 405, ...). */
  readonly headers: Readonly<Record<string, string>> = {};
}

export class InvalidRequestError extends ServiceError {
  readonly status = 400;
  readonly code = 'invalidRequest';
}

export class ItemNotFoundError extends ServiceError {
  readonly status = 404;
  readonly code = 'itemNotFound';
  constructor(entitySet: string, key: string) {
    super(`No ${entitySet} entity has the id '${key}'.`);
  }
}

export class ResourceNotFoundError extends ServiceError {
  readonly status = 404;
  readonly code = 'resourceNotFound';
  constructor(method: string, path: string) {
    super(`No resource is at ${method} ${path}.`);
  }
}

export class MethodNotAllowedError extends ServiceError {
  readonly status = 405;
  readonly code = 'methodNotAllowed';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`);
    this.headers = { allow: allowed.join(', ') };
  }
}

export class ConflictError extends ServiceError {
  readonly status = 409;
  readonly code = 'conflict';
}

/** The entity is in a state that does not allow this (an operation that is running, say). */
export class StateConflictError extends ServiceError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The requestId was used before, for a different request (idempotent create). */
export class RequestIdConflictError extends ServiceError {
  readonly status = 409;
  readonly code = 'requestIdConflict';
}

export class PayloadTooLargeError extends ServiceError {
  readonly status = 413;
  readonly code = 'requestTooLarge';
}

export class UnsupportedMediaTypeError extends ServiceError {
  readonly status = 415;
  readonly code = 'unsupportedMediaType';
}

/** Any other client error that the HTTP stack detects, with the status it chose. */
export class ClientRequestError extends ServiceError {
  readonly code = 'invalidRequest';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** If-Match did not match the entity's current ETag (OData Protocol 4.01 §11.4.1.1). */
export class PreconditionFailedError extends ServiceError {
  readonly status = 412;
  readonly code = 'resourceModified';
}

/** 401: no valid bearer token (RFC 6750 §3). The reason is logged, not returned. */
export class AuthenticationError extends ServiceError {
  readonly status = 401;
  readonly code = 'InvalidAuthenticationToken';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    message: string,
    /** Why, for the log only. */
    readonly reason: string,
    tokenPresent: boolean,
  ) {
    super(message);
    this.headers = {
      'www-authenticate': tokenPresent
        ? 'Bearer realm="managed-tenant-operations", error="invalid_token"'
        : 'Bearer realm="managed-tenant-operations"',
    };
  }
}

/** 403: the caller is known but may not do this. */
export class ForbiddenError extends ServiceError {
  readonly status = 403;
  readonly code = 'Authorization_RequestDenied';
}

/** 429: over the request rate (Graph's throttling). */
export class TooManyRequestsError extends ServiceError {
  readonly status = 429;
  readonly code = 'TooManyRequests';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(retryAfterSeconds: number) {
    super(`Too many requests. Retry after ${retryAfterSeconds} seconds.`);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** 503: the service cannot serve now (not ready, database unreachable); try again later. */
export class ServiceUnavailableError extends ServiceError {
  readonly status = 503;
  readonly code = 'serviceNotAvailable';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, retryAfterSeconds?: number) {
    super(message);
    this.headers =
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  }
}

/** A delta token older than the retention period (Microsoft Graph answers 410 syncStateNotFound). */
export class SyncStateNotFoundError extends ServiceError {
  readonly status = 410;
  readonly code = 'syncStateNotFound';
  constructor(days: number) {
    super(
      `The delta token has expired (changes are kept for ${days} days). Start over with a delta ` +
        'query without a token, which returns every current item.',
    );
  }
}

/**
 * An operation run at once (the live service's create) in which tenants failed, when its client
 * asked for no partial results: the message is the JSON of the operation, its partial rows
 * included, as the live service's clients read it.
 */
export class PartialResultsError extends ServiceError {
  readonly status = 424;
  readonly code = 'partialResults';
}
