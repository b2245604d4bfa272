import { writeSync } from 'node:fs';

/** A log line whose text is made when it is written, at the end of the turn, not when logged. */
export interface DeferredLine {
  toLine(): string;
}

/** Writes bytes to the log's file descriptor; returns how many it wrote (fewer on a full pipe). */
export type WriteBytes = (chunk: Buffer) => number;

export interface TurnBatchedDestinationOptions {
  /** Default: `fs.writeSync` on stdout. */
  readonly writeBytes?: WriteBytes;
  /** Characters held back at most while stdout is full; newer lines are dropped and counted. */
  readonly maxPendingChars?: number;
  /** How long to wait before writing again after stdout was full (EAGAIN). */
  readonly retryAfterMs?: number;
}

/** What a deferred line counts for against `maxPendingChars` before it is made. */
const DEFERRED_LINE_CHARS = 512;
const DEFAULT_MAX_PENDING_CHARS = 16 * 1024 * 1024;
/** How long `flushSync` (at exit) keeps trying while stdout is full. */
const EXIT_FLUSH_PATIENCE_MS = 2000;

/**
 * The log's destination: the lines logged during one turn of the event loop are written together,
 * with one synchronous write at the end of that turn (`setImmediate`). A quiet service writes
 * each line as soon as the turn that logged it ends; a busy one writes a few dozen at a time.
 *
 * Why not pino's own asynchronous destination (sonic-boom): under load its writes are in flight on
 * libuv's thread pool most of the time, so each new line was appended to a growing string whose
 * byte length it measured again, and the lines waited in the heap across turns: a read by key cost
 * more CPU with it than with this (docs/performance.md). Its synchronous mode writes once per
 * line, which cost more still. Lines can also be deferred (`DeferredLine`): made here, when the
 * turn's lines are written, rather than while a request is being answered.
 *
 * Stdout is usually non-blocking once Node has touched it (a pipe is, here): a write that finds it
 * full keeps the rest and tries again shortly, in order; past `maxPendingChars` new lines are
 * dropped rather than the process growing without bound, and a line says how many once writing
 * works again. A write error other than a full pipe (nobody reads the log any more) drops the batch
 * the same way: logging never takes the service down. (On a blocking stdout a stalled reader holds
 * the process up, as it does with pino's default synchronous destination.)
 */
export class TurnBatchedDestination {
  private readonly writeBytes: WriteBytes;
  private readonly maxPendingChars: number;
  private readonly retryAfterMs: number;
  private lines: Array<string | DeferredLine> = [];
  private pendingChars = 0;
  /** What a short or refused write left: written before any newer line. */
  private leftover: Buffer | undefined;
  private droppedLines = 0;
  /** The write at the end of this turn, once a line is waiting. */
  private endOfTurn: NodeJS.Immediate | undefined;
  /** The next attempt after stdout was full; lines logged meanwhile wait for it, in order. */
  private retry: NodeJS.Timeout | undefined;

  constructor(options: TurnBatchedDestinationOptions = {}) {
    this.writeBytes = options.writeBytes ?? ((chunk) => writeSync(1, chunk));
    this.maxPendingChars = options.maxPendingChars ?? DEFAULT_MAX_PENDING_CHARS;
    this.retryAfterMs = options.retryAfterMs ?? 10;
  }

  /** A line of text (pino's), or one to be made when it is written (`DeferredLine`). */
  write(line: string | DeferredLine): void {
    const length = typeof line === 'string' ? line.length : DEFERRED_LINE_CHARS;
    if (this.pendingChars + (this.leftover?.length ?? 0) + length > this.maxPendingChars) {
      this.droppedLines += 1;
      return;
    }
    this.lines.push(line);
    this.pendingChars += length;
    if (!this.endOfTurn && !this.retry) this.endOfTurn = setImmediate(this.writeOut);
  }

  /** pino's `logger.flush(callback)`: everything logged so far is written (or given up on). */
  flush(callback: (error?: Error) => void = () => undefined): void {
    this.flushSync();
    callback();
  }

  /** Writes what is held at once, waiting a little if stdout is full: for the process's exit. */
  flushSync(): void {
    const deadline = Date.now() + EXIT_FLUSH_PATIENCE_MS;
    this.writeOut();
    while (this.leftover && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.retryAfterMs);
      this.writeOut();
    }
  }

  private readonly writeOut = (): void => {
    clearImmediate(this.endOfTurn);
    clearTimeout(this.retry);
    this.endOfTurn = this.retry = undefined;
    // The lines dropped so far are reported after the ones that made it, in this same write.
    const dropped = this.droppedLines;
    this.droppedLines = 0;
    if (dropped > 0) this.lines.push(droppedNotice(dropped));
    let text = '';
    for (const line of this.lines) text += typeof line === 'string' ? line : line.toLine();
    const fresh = this.lines.length > 0 ? Buffer.from(text) : undefined;
    const freshLines = this.lines.length - (dropped > 0 ? 1 : 0);
    this.lines = [];
    this.pendingChars = 0;
    const chunk =
      this.leftover && fresh ? Buffer.concat([this.leftover, fresh]) : (this.leftover ?? fresh);
    this.leftover = undefined;
    if (!chunk) return;
    let written = 0;
    try {
      while (written < chunk.length) written += this.writeBytes(chunk.subarray(written));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        this.leftover = chunk.subarray(written);
        // Unreferenced: a full pipe must not keep the process alive (exit flushes what it can).
        this.retry = setTimeout(this.writeOut, this.retryAfterMs).unref();
      } else {
        this.droppedLines += freshLines + dropped;
      }
    }
  };
}

function droppedNotice(count: number): string {
  return `${JSON.stringify({
    level: 'warn',
    time: new Date().toISOString(),
    pid: process.pid,
    msg: `${count} log lines were dropped: stdout could not take them`,
  })}\n`;
}
