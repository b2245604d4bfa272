import { Agent, Dispatcher, request } from 'undici';
import { EngineConfig } from '../config/app-config';

/**
 * Calls to Microsoft Graph for the engine (issue 17, req. 7): only to the configured endpoint,
 * never following redirects, each with a time limit and a cap on the answer's size, retried as
 * Graph asks — 429 and 503 after Retry-After, other 5xx, time-outs and connection errors with
 * exponential backoff and full jitter — up to `maxAttempts` tries. Other 4xx are never retried.
 */

/** The most bytes of an answer read; a larger one fails the call (it is not retried). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
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
   * Calls Graph with `token`, retrying what may succeed later; `record` sees every try. Resolves
   * with the answer of the last try (a 4xx included); rejects when no try got a usable answer.
   */
  async call(
    request: GraphRequest,
    token: string,
    record: (attempt: CallAttempt) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<GraphAnswer> {
    this.requireAllowed(request.url);
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.try(request, token, signal);
      await record({ request, attempt, ...outcome });
      const retryable =
        outcome.error !== undefined && outcome.status === 0
          ? !signal?.aborted
          : outcome.status === 429 || outcome.status >= 500;
      if (!retryable || attempt >= this.config.maxAttempts || outcome.oversized) {
        if (outcome.status === 0 || outcome.oversized) {
          throw new GraphCallError(
            `${request.method} ${pathOf(request.url)} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${outcome.error}`,
            outcome.status,
            attempt,
          );
        }
        return { status: outcome.status, body: outcome.responseBody, attempts: attempt };
      }
      await sleep(this.waitBefore(attempt, outcome), signal);
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
  ): number {
    const retryAfter = outcome.responseHeaders.find(([name]) => name === 'retry-after')?.[1];
    if (retryAfter !== undefined && (outcome.status === 429 || outcome.status === 503)) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), MAX_RETRY_WAIT_MS);
    }
    const ceiling = Math.min(this.config.retryBaseMs * 2 ** (attempt - 1), 30_000);
    return Math.random() * ceiling;
  }

  private async try(
    call: GraphRequest,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<Omit<CallAttempt, 'request' | 'attempt'> & { oversized?: boolean }> {
    const headers: Record<string, string> = {};
    for (const [name, value] of call.headers) headers[name.toLowerCase()] = value;
    headers.authorization = `Bearer ${token}`;
    headers.accept = 'application/json';
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: Dispatcher.ResponseData;
    try {
      response = await request(call.url, {
        method: call.method as Dispatcher.HttpMethod,
        headers,
        body: call.body,
        dispatcher: this.dispatcher,
        // undici's own timers (for the headers, then between body chunks): cheaper per call
        // than an AbortSignal.timeout of its own.
        headersTimeout: this.config.callTimeoutMs,
        bodyTimeout: this.config.callTimeoutMs,
        signal,
      });
    } catch (error) {
      return {
        status: 0,
        responseHeaders: [],
        responseBody: '',
        error: isTimeout(error)
          ? `no answer within ${this.config.callTimeoutMs} ms`
          : signal?.aborted
            ? 'stopped'
            : `connection failed (${causeOf(error)})`,
      };
    }
    const responseHeaders: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined)
        responseHeaders.push([name, Array.isArray(value) ? value.join(', ') : value]);
    }
    try {
      const responseBody = await readLimited(response.body, MAX_RESPONSE_BYTES);
      return { status: response.statusCode, responseHeaders, responseBody };
    } catch (error) {
      const oversized = error instanceof ResponseTooLargeError;
      return {
        status: oversized ? response.statusCode : 0,
        responseHeaders,
        responseBody: '',
        oversized,
        error: oversized
          ? `the answer is larger than ${MAX_RESPONSE_BYTES} bytes`
          : isTimeout(error)
            ? `no answer within ${this.config.callTimeoutMs} ms`
            : `the answer was cut off (${causeOf(error)})`,
      };
    }
  }
}

class ResponseTooLargeError extends Error {}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
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
