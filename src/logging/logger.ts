import pino, { DestinationStream, Level, Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { LogLevelName } from '../config/app-config';

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
}

/**
 * The process's one pino logger: JSON lines on stdout (or `destination`, for tests). Fastify
 * derives each request's logger from it, and Nest's own messages reach it through nestjs-pino.
 *
 * Nothing a client sends is logged whole: the request line names the route and the path, never
 * the query string, the headers or the body; `redact` is a second fence for the fields a future
 * log call could pass by mistake.
 */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const stream = settings.pretty
    ? pinoPretty({
        colorize: destination === undefined,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        destination: destination ?? 1,
      })
    : // Asynchronous writes keep logging off the request's path; pino flushes what is buffered
      // when the process exits (a kill -9 may lose the last lines, never acknowledged data).
      (destination ?? pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level: PINO_LEVELS[settings.level],
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          'credentials',
          '*.credentials',
          'body',
          '*.body',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
}
