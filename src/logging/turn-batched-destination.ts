import { writeSync } from 'node:fs';

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
 * byte length it measured again, and the lines waited in the heap across turns. A read by key cost
 * about 3-5 µs of CPU more with it than with this (README: Performance). Its synchronous mode
 * writes once per line, which cost more still.
 *
 * Stdout may be non-blocking (a pipe): a write that finds it full keeps the rest and tries again
 * shortly, in order; past `maxPendingChars` new lines are dropped rather than the process growing
 * without bound, and a line says how many once writing works again. A write error other than a full
 * pipe (nobody reads the log any more) drops the batch the same way: logging never takes the
 * service down.
 */
export class TurnBatchedDestination {
  private readonly writeBytes: WriteBytes;
  private readonly maxPendingChars: number;
  private readonly retryAfterMs: number;
  private lines: string[] = [];
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

  write(line: string): void {
    const held = this.pendingChars + (this.leftover?.length ?? 0);
    if (held + line.length > this.maxPendingChars) {
      this.droppedLines += 1;
      return;
    }
    this.lines.push(line);
    this.pendingChars += line.length;
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
    const fresh = this.lines.length > 0 ? Buffer.from(this.lines.join('')) : undefined;
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
