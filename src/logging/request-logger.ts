import { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { Bindings, ChildLoggerOptions, Level } from 'pino';

/** Fastify's root logger as pino gives it: one that says which levels it writes. */
interface LevelAwareLogger extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
}

function isLevelAware(logger: FastifyBaseLogger): logger is LevelAwareLogger {
  return 'isLevelEnabled' in logger && typeof logger.isLevelEnabled === 'function';
}

/**
 * A request's logger (`request.log`): the process logger with the request's bindings (its
 * `requestId`), made the first time the request writes a line through it.
 *
 * Why: Fastify makes a pino child logger for every request, and nearly every request writes
 * nothing through it (its `request completed` line is made apart, see completed-request-line.ts);
 * making that child (its bindings serialized, its level methods set) is work and garbage that
 * nearly no request needs (docs/performance.md). A line below the logger's level makes nothing.
 */
export class RequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAwareLogger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  private get logger(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings);
    return this.made;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.made && !this.parent.isLevelEnabled(level)) return;
    const logger = this.logger;
    Reflect.apply(logger[level], logger, args);
  }
}

/**
 * Fastify's `childLoggerFactory`: a `RequestLogger` for each request. A route with a log level or
 * serializers of its own gets pino's child at once, as Fastify would make it.
 */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  parent,
  bindings,
  options,
) => {
  // Fastify passes the route's level, '' for a route without one (pino reads '' as the parent's).
  const ownSettings =
    (options.level !== undefined && options.level !== '' && options.level !== parent.level) ||
    options.serializers !== undefined;
  if (ownSettings || !isLevelAware(parent)) return parent.child(bindings, options);
  return new RequestLogger(parent, bindings);
};
