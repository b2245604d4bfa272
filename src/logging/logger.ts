import pino, { DestinationStream, Level, Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { LogLevelName } from '../config/app-config';
import { TurnBatchedDestination } from './turn-batched-destination';
import { activeTraceIds } from '../observability/tracing';

/** Nest's level names (LOG_LEVEL) as pino's: `log` is pino's `info`, `verbose` its `trace`. */
const PINO_LEVELS: Readonly<Record<LogLevelName, Level>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LoggerSettings {
  readonly level: LogLevelName;
  /** LOG_PRETTY=1: coloured, one readable line per entry, for a developer's terminal. */
  readonly pretty: boolean;
  /** Tracing is on: every line logged inside a span carries its `traceId` and `spanId`. */
  readonly traceIds?: boolean;
}

/**
 * The process's one pino logger: JSON lines on stdout (or `destination`, for tests). Fastify
 * derives each request's logger from it, and Nest's own messages reach it through nestjs-pino.
 *
 * Nothing a client sends is logged whole: the request line names the route and the path, never
 * the query string, the headers or the body; `withoutSecrets` is a second fence for the fields a
 * future log call could pass by mistake.
 */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const stream = settings.pretty
    ? pinoPretty({
        colorize: destination === undefined,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        destination: destination ?? 1,
      })
    : (destination ?? stdoutDestination());
  return pino(
    {
      level: PINO_LEVELS[settings.level],
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => withoutSecrets(fields),
      },
      // The same names at the top level once more, for what `withoutSecrets` does not see: the
      // bindings of child loggers. (Exact paths cost nothing measurable; wildcards did.)
      redact: { paths: [...SECRET_FIELDS], censor: CENSOR },
      ...(settings.traceIds ? { mixin: () => activeTraceIds() ?? {} } : {}),
    },
    stream,
  );
}

/**
 * Stdout, written once per turn of the event loop, and flushed when the process exits (a kill -9
 * may lose the last turn's lines, never acknowledged data). One per process: every logger made
 * without a destination shares it, so lines stay in order and one exit handler is enough.
 */
function stdoutDestination(): TurnBatchedDestination {
  if (!sharedStdout) {
    const destination = new TurnBatchedDestination();
    process.once('exit', () => destination.flushSync());
    sharedStdout = destination;
  }
  return sharedStdout;
}
let sharedStdout: TurnBatchedDestination | undefined;

/**
 * Where `request completed` lines may go as deferred lines: the logger's destination if it takes
 * them (stdout does; a test's stream does not) and the logger writes info lines at all.
 */
export function deferredLinesOf(logger: Logger): TurnBatchedDestination | undefined {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return stream instanceof TurnBatchedDestination && logger.isLevelEnabled('info')
    ? stream
    : undefined;
}

/** Field names whose values are never logged, at any of the first three levels of a log entry. */
const SECRET_FIELDS = new Set(['authorization', 'credentials', 'body', 'token']);
const CENSOR = '[redacted]';

/**
 * The fields of a log entry with every value under a secret name censored, to a depth of three
 * (`token`, `operation.credentials`, `req.headers.authorization`), whatever the case of the name.
 * The entry itself is returned when there is nothing to censor, which is every time in practice:
 * this runs on every line, and pino's wildcard redaction (`*.token`), which it replaces, cost
 * several microseconds a line, about a tenth of a read by key.
 */
export function withoutSecrets(
  fields: Record<string, unknown>,
  depth = 2,
): Record<string, unknown> {
  let censored: Record<string, unknown> | undefined;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    let shown = value;
    if (SECRET_FIELDS.has(name.toLowerCase())) shown = CENSOR;
    else if (depth > 0 && isPlainObject(value)) shown = withoutSecrets(value, depth - 1);
    if (shown !== value) (censored ??= { ...fields })[name] = shown;
  }
  return censored ?? fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
