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

export class GraphClient {
  private readonly origin: string;

  constructor(
    private readonly config: Pick<
      EngineConfig,
      'graphApiUrl' | 'maxAttempts' | 'callTimeoutMs' | 'retryBaseMs'
    >,
    private readonly fetchImpl: typeof fetch = fetch,
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
    request: GraphRequest,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<Omit<CallAttempt, 'request' | 'attempt'> & { oversized?: boolean }> {
    const timeout = AbortSignal.timeout(this.config.callTimeoutMs);
    const headers = new Headers();
    for (const [name, value] of request.headers) headers.append(name, value);
    headers.set('authorization', `Bearer ${token}`);
    headers.set('accept', 'application/json');
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    let response: Response;
    try {
      response = await this.fetchImpl(request.url, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      return {
        status: 0,
        responseHeaders: [],
        responseBody: '',
        error: timeout.aborted
          ? `no answer within ${this.config.callTimeoutMs} ms`
          : signal?.aborted
            ? 'stopped'
            : `connection failed (${causeOf(error)})`,
      };
    }
    const responseHeaders = [...response.headers.entries()] as Array<[string, string]>;
    try {
      const responseBody = await readLimited(response, MAX_RESPONSE_BYTES);
      return { status: response.status, responseHeaders, responseBody };
    } catch (error) {
      const oversized = error instanceof ResponseTooLargeError;
      return {
        status: oversized ? response.status : 0,
        responseHeaders,
        responseBody: '',
        oversized,
        error: oversized
          ? `the answer is larger than ${MAX_RESPONSE_BYTES} bytes`
          : timeout.aborted
            ? `no answer within ${this.config.callTimeoutMs} ms`
            : `the answer was cut off (${causeOf(error)})`,
      };
    }
  }
}

class ResponseTooLargeError extends Error {}

async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ResponseTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
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
