import { DeferredLine } from './turn-batched-destination';

/** What the `request completed` line says (src/logging/request-log.ts). */
export interface CompletedRequest {
  readonly requestId: string;
  /** The request's trace, when tracing is on. */
  readonly traceId?: string;
  readonly clientRequestId: string | undefined;
  readonly tenant: string | undefined;
  readonly user: string | undefined;
  readonly method: string;
  readonly route: string | undefined;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
}

/**
 * The `request completed` line of one request, written as pino would write
 * `request.log.info(fields, 'request completed')` with our logger's settings (level label, ISO
 * time, pid, the request's `requestId` binding, no undefined fields), byte for byte; the unit
 * test holds the two side by side.
 *
 * Why not pino: this line is logged on every request, and making its text while the request is
 * being answered took a read by key's CPU on the event loop's thread; made with the rest of the
 * turn's lines, in one loop when they are written, it costs a fraction of that
 * (docs/performance.md). The time is taken when the request completes, as pino would.
 */
export class CompletedRequestLine implements DeferredLine {
  private readonly time = Date.now();

  constructor(private readonly request: CompletedRequest) {}

  toLine(): string {
    const r = this.request;
    return (
      `{"level":"info","time":"${new Date(this.time).toISOString()}","pid":${process.pid}` +
      `,"requestId":${JSON.stringify(r.requestId)}` +
      optional('traceId', r.traceId) +
      optional('clientRequestId', r.clientRequestId) +
      optional('tenant', r.tenant) +
      optional('user', r.user) +
      `,"method":${JSON.stringify(r.method)}` +
      optional('route', r.route) +
      `,"path":${JSON.stringify(r.path)},"status":${r.status},"durationMs":${r.durationMs}` +
      `,"msg":"request completed"}\n`
    );
  }
}

function optional(name: string, value: string | undefined): string {
  return value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`;
}
