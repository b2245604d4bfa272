import { Agent, Dispatcher } from 'undici';
import { EngineConfig } from '../../config/app-config';
import {
  callOutbound,
  OutboundCallError,
  OutboundFailureKind,
  OutboundObserver,
  UNWATCHED,
} from '../outbound-call';

/**
 * Calls to Microsoft Graph for the engine: only to the configured endpoint, never following
 * redirects, each try bounded by a deadline over the whole call and a cap on the answer's size
 * (callOutbound), retried as `mayRetry` says — after Retry-After for 429 and 503, else with
 * exponential backoff and full jitter — up to `maxAttempts` tries.
 */

/** The most bytes of an answer read; a larger one fails the call (it is not retried). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** The deepest nesting of arrays and objects read in an answer (Graph's rarely pass ten). */
export const MAX_ANSWER_DEPTH = 128;
/** The longest wait between two tries, whatever Retry-After or the backoff says. */
export const MAX_RETRY_WAIT_MS = 60_000;

export interface GraphRequest {
  readonly method: string;
  /** Absolute, on the Graph endpoint (checked again here). */
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

/** One try of a call, as the engine records it in managedTenantOperationHttpRequests. */
export interface CallAttempt {
  readonly request: GraphRequest;
  readonly attempt: number;
  /** 0 when there was no answer (time-out, connection error). */
  readonly status: number;
  readonly responseHeaders: ReadonlyArray<readonly [string, string]>;
  readonly responseBody: string;
  /** Why there was no answer, or why the answer was not read. */
  readonly error?: string;
}

export interface GraphAnswer {
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
}

/** A call that failed for good: its last answer or error, said for a person. */
export class GraphCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** An outbound URL the configuration does not allow. */
export class ForbiddenUrlError extends Error {}

/**
 * The connections to Graph: kept alive and shared by every call of the instance (undici's
 * `request`, which costs much less per call than `fetch`; it never follows a redirect).
 */
export function graphDispatcher(config: Pick<EngineConfig, 'concurrency'>): Dispatcher {
  return new Agent({ connections: config.concurrency + 8, keepAliveTimeout: 30_000 });
}

export class GraphClient {
  private readonly origin: string;

  constructor(
    private readonly config: Pick<
      EngineConfig,
      'graphApiUrl' | 'maxAttempts' | 'callTimeoutMs' | 'retryBaseMs'
    >,
    private readonly dispatcher: Dispatcher,
    private readonly observer: OutboundObserver = UNWATCHED,
  ) {
    this.origin = new URL(config.graphApiUrl).origin;
  }

  /** The URL of a statement's path (`/v1.0/users?$top=5`) on the Graph endpoint. */
  urlOf(path: string): string {
    const url = new URL(path, this.origin);
    this.requireAllowed(url.href);
    return url.href;
  }

  /**
   * Whether a URL (a statement's, or an `@odata.nextLink` Graph returned) is on the configured
   * endpoint, under /v1.0/ or /beta/, with no credentials and no dot segments.
   */
  isAllowed(text: string): boolean {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return false;
    }
    return (
      url.origin === this.origin &&
      !url.username &&
      !url.password &&
      /^\/(v1\.0|beta)\//.test(url.pathname) &&
      !/(^|\/)\.\.?(\/|$)/.test(url.pathname)
    );
  }

  requireAllowed(text: string): void {
    if (!this.isAllowed(text)) {
      throw new ForbiddenUrlError(`'${text}' is not on the configured Graph endpoint.`);
    }
  }

  /**
   * Calls Graph with `token`, retrying what may succeed later and cannot have been applied twice
   * (see `mayRetry`); `record` sees every try. Resolves with the answer of the last try (a 4xx
   * included); rejects when no try got a usable answer, or when `signal` stopped it.
   */
  async call(
    request: GraphRequest,
    token: string,
    record: (attempt: CallAttempt) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<GraphAnswer> {
    this.requireAllowed(request.url);
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.try(request, token, signal, attempt);
      await record({ request, attempt, ...outcome });
      const stopped = outcome.failure === 'stopped' || signal?.aborted === true;
      const retry =
        !stopped && attempt < this.config.maxAttempts && mayRetry(request.method, outcome);
      if (!retry) {
        if (outcome.failure !== undefined) {
          throw new GraphCallError(
            stopped
              ? `${request.method} ${pathOf(request.url)} was stopped.`
              : `${request.method} ${pathOf(request.url)} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${outcome.error}`,
            outcome.status,
            attempt,
          );
        }
        return { status: outcome.status, body: outcome.responseBody, attempts: attempt };
      }
      const wait = this.waitBefore(attempt, outcome);
      this.observer.retrying('graph', outcome.status, wait.ms, wait.retryAfter);
      await sleep(wait.ms, signal);
      if (signal?.aborted) {
        throw new GraphCallError(
          `${request.method} ${pathOf(request.url)} was stopped.`,
          0,
          attempt,
        );
      }
    }
  }

  /** Retry-After (seconds or an HTTP date) when the answer says; else backoff with full jitter. */
  private waitBefore(
    attempt: number,
    outcome: { status: number; responseHeaders: ReadonlyArray<readonly [string, string]> },
  ): { ms: number; retryAfter: boolean } {
    const retryAfter = outcome.responseHeaders.find(([name]) => name === 'retry-after')?.[1];
    if (retryAfter !== undefined && (outcome.status === 429 || outcome.status === 503)) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(ms)) {
        return { ms: Math.min(Math.max(ms, 0), MAX_RETRY_WAIT_MS), retryAfter: true };
      }
    }
    const ceiling = Math.min(this.config.retryBaseMs * 2 ** (attempt - 1), 30_000);
    return { ms: Math.random() * ceiling, retryAfter: false };
  }

  private async try(
    call: GraphRequest,
    token: string,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<TryOutcome> {
    const headers: Record<string, string> = {};
    for (const [name, value] of call.headers) headers[name.toLowerCase()] = value;
    headers.authorization = `Bearer ${token}`;
    headers.accept = 'application/json';
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const answer = await callOutbound(
        {
          upstream: 'graph',
          url: call.url,
          method: call.method as Dispatcher.HttpMethod,
          headers,
          body: call.body,
        },
        { deadlineMs: this.config.callTimeoutMs, maxBytes: MAX_RESPONSE_BYTES },
        this.dispatcher,
        signal,
        this.observer,
        attempt,
      );
      return { status: answer.status, responseHeaders: answer.headers, responseBody: answer.body };
    } catch (error) {
      if (!(error instanceof OutboundCallError)) throw error;
      return {
        status: error.status,
        responseHeaders: error.headers,
        responseBody: '',
        error: error.message,
        failure: error.kind,
      };
    }
  }
}

type TryOutcome = Omit<CallAttempt, 'request' | 'attempt'> & {
  readonly failure?: OutboundFailureKind;
};

/** Methods that have the same effect however often they are sent (RFC 9110, 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a try may be sent again. 429 and 503 say the upstream did nothing, and a connection
 * that could not be made sent nothing: any method is retried. Another 5xx, a time-out or a
 * connection cut off may come after the upstream acted: only an idempotent method is retried
 * then, never a POST or PATCH, which could create or change something twice. An answer larger
 * than the cap, a stop and any other 4xx are final.
 */
export function mayRetry(method: string, outcome: { status: number; failure?: string }): boolean {
  if (outcome.failure === 'unreachable') return true;
  if (outcome.failure === 'stopped' || outcome.failure === 'tooLarge') return false;
  if (outcome.failure === undefined && (outcome.status === 429 || outcome.status === 503)) {
    return true;
  }
  const uncertain = outcome.failure !== undefined || outcome.status >= 500;
  return uncertain && IDEMPOTENT.has(method.toUpperCase());
}

/** The path and query of a URL, for messages (never the host's credentials: it has none). */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        done();
      },
      { once: true },
    );
  });
}

/**
 * How deep arrays and objects nest in a JSON text (brackets inside strings not counted): read
 * before the text is parsed, so that an answer nested a million levels deep is refused in the
 * caller's terms instead of failing deep inside the engine.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return deepest;
}
