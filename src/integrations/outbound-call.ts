import { Dispatcher, request } from 'undici';

/**
 * One outbound HTTP call, bounded: a deadline over the whole call (connecting, the headers and
 * every byte of the body, not the gap between two chunks), a cap on the bytes of the answer read,
 * and the caller's signal, which stops it at once. undici's `request` never follows a redirect.
 * Every outbound call goes through here (Graph, the token endpoint, webhook receivers), so that
 * an upstream that trickles, never answers or answers without end costs a bounded time and
 * memory.
 */

/** Who is called: a closed list, so that what watches calls can name them (never a host). */
export type Upstream = 'graph' | 'tokenEndpoint' | 'webhook';

export interface OutboundRequest {
  readonly upstream: Upstream;
  readonly url: string;
  readonly method: Dispatcher.HttpMethod;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface OutboundLimits {
  /** The whole call, from the first byte sent to the last byte read. */
  readonly deadlineMs: number;
  /** The most bytes of the answer's body read; a larger answer fails the call. */
  readonly maxBytes: number;
  /**
   * What a larger answer does: fail the call (the default), or end it with its first `maxBytes`
   * (a receiver's acknowledgement, of which only the start matters).
   */
  readonly overflow?: 'fail' | 'truncate';
}

export interface OutboundAnswer {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/**
 * Why a call has no usable answer:
 * - `deadline`: the deadline passed (before the headers or during the body);
 * - `stopped`: the caller's signal stopped it;
 * - `unreachable`: no connection could be made, so the request was never sent;
 * - `cut`: the connection failed after the request may have been sent;
 * - `tooLarge`: the answer is larger than the cap (its status is known).
 */
export type OutboundFailureKind = 'deadline' | 'stopped' | 'unreachable' | 'cut' | 'tooLarge';

export class OutboundCallError extends Error {
  constructor(
    readonly kind: OutboundFailureKind,
    message: string,
    /** The answer's status when headers came (tooLarge, or a body cut off), else 0. */
    readonly status = 0,
    readonly headers: ReadonlyArray<readonly [string, string]> = [],
  ) {
    super(message);
  }

  /** Whether the upstream may have received (and acted on) the request. */
  get mayHaveArrived(): boolean {
    return this.kind !== 'unreachable';
  }
}

/** Errors of undici and of the socket that come before a request is written. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * What watches outbound calls (metrics and traces, src/observability): told when a call begins,
 * when it ends, and when a client is about to send one again.
 */
export interface OutboundObserver {
  /** A call begins; the headers returned are sent with it (a W3C `traceparent`). */
  begin(request: OutboundRequest, attempt: number): OutboundCallWatch;
  /** A failed try is sent again after `waitMs` (`retryAfter`: the wait the upstream asked for). */
  retrying(upstream: Upstream, failedStatus: number, waitMs: number, retryAfter: boolean): void;
}

export interface OutboundCallWatch {
  readonly headers?: Readonly<Record<string, string>>;
  /** The call ended: its status (0 when no answer came) and why it failed, if it did. */
  end(status: number, failure?: OutboundFailureKind): void;
}

/** Watches nothing: for a client made outside the application (a command, a unit test). */
export const UNWATCHED: OutboundObserver = {
  begin: () => ({ end: () => undefined }),
  retrying: () => undefined,
};

const DEADLINE = Symbol('deadline');
const STOPPED = Symbol('stopped');

export async function callOutbound(
  outbound: OutboundRequest,
  limits: OutboundLimits,
  dispatcher: Dispatcher,
  signal?: AbortSignal,
  observer: OutboundObserver = UNWATCHED,
  attempt = 1,
): Promise<OutboundAnswer> {
  if (signal?.aborted) throw stopped();
  const watch = observer.begin(outbound, attempt);
  try {
    const answer = await callBounded(
      watch.headers
        ? { ...outbound, headers: { ...outbound.headers, ...watch.headers } }
        : outbound,
      limits,
      dispatcher,
      signal,
    );
    watch.end(answer.status);
    return answer;
  } catch (error) {
    if (error instanceof OutboundCallError) watch.end(error.status, error.kind);
    else watch.end(0, 'cut');
    throw error;
  }
}

async function callBounded(
  outbound: OutboundRequest,
  limits: OutboundLimits,
  dispatcher: Dispatcher,
  signal?: AbortSignal,
): Promise<OutboundAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(DEADLINE), limits.deadlineMs);
  const stop = (): void => controller.abort(STOPPED);
  signal?.addEventListener('abort', stop, { once: true });
  let status = 0;
  let headers: Array<[string, string]> = [];
  try {
    const response = await request(outbound.url, {
      method: outbound.method,
      headers: outbound.headers,
      body: outbound.body,
      dispatcher,
      signal: controller.signal,
      // The deadline decides; undici's own per-phase timers are only a backstop.
      headersTimeout: limits.deadlineMs + 1_000,
      bodyTimeout: limits.deadlineMs + 1_000,
    });
    status = response.statusCode;
    headers = headersOf(response.headers);
    const body = await readCapped(response.body, limits.maxBytes, limits.overflow === 'truncate');
    if (body === undefined) {
      throw new OutboundCallError(
        'tooLarge',
        `the answer is larger than ${describeBytes(limits.maxBytes)}`,
        status,
        headers,
      );
    }
    return { status, headers, body };
  } catch (error) {
    if (error instanceof OutboundCallError) throw error;
    const reason: unknown = controller.signal.reason;
    if (reason === DEADLINE) {
      throw new OutboundCallError(
        'deadline',
        status
          ? `the answer did not end within ${limits.deadlineMs} ms`
          : `no answer within ${limits.deadlineMs} ms`,
        status,
        headers,
      );
    }
    if (reason === STOPPED) throw stopped();
    const code = codeOf(error);
    if (!status && code !== undefined && NOT_SENT_CODES.has(code)) {
      throw new OutboundCallError('unreachable', `connection failed (${code})`);
    }
    // A system or undici error says it by its code; another (an address the policy refused) by
    // its message.
    const detail = (isSystemError(error) ? code : causeOf(error)) ?? code ?? 'connection closed';
    throw new OutboundCallError(
      'cut',
      status ? `the answer was cut off (${detail})` : `connection failed (${detail})`,
      status,
      headers,
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

function stopped(): OutboundCallError {
  return new OutboundCallError('stopped', 'stopped');
}

/**
 * The body as text, or undefined when it is larger than `limit` (the rest is not read); with
 * `truncate`, its first `limit` bytes instead.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  truncate: boolean,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.byteLength > limit) {
      body.destroy();
      if (!truncate) return undefined;
      chunks.push(buffer.subarray(0, limit - size));
      return Buffer.concat(chunks, limit).toString('utf8');
    }
    size += buffer.byteLength;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function headersOf(raw: Dispatcher.ResponseData['headers']): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  return headers;
}

function isSystemError(error: unknown): boolean {
  const failure = error as { syscall?: unknown; code?: unknown; cause?: { syscall?: unknown } };
  const code = codeOf(error);
  return (
    failure.cause?.syscall !== undefined ||
    failure.syscall !== undefined ||
    (code !== undefined && code.startsWith('UND_ERR'))
  );
}

/** What a failure without a code says (a refused address, say), from its cause if it has one. */
function causeOf(error: unknown): string | undefined {
  const failure = error as { message?: unknown; cause?: { message?: unknown } };
  const message = failure.cause?.message ?? failure.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function codeOf(error: unknown): string | undefined {
  const failure = error as { code?: unknown; cause?: { code?: unknown } };
  const code = failure.cause?.code ?? failure.code;
  return typeof code === 'string' ? code : undefined;
}

/** `16 MiB`, `64 KiB`, `512 bytes`: a limit as a person reads it. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
