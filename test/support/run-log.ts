import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { DestinationStream } from 'pino';

/**
 * The log of a whole e2e run. The e2e project's global setup names a file (E2E_RUN_LOG); every
 * service a test starts, in-process or as a child process, writes its log lines there, and every
 * secret a test uses (tokens, credentials, keys) is noted in a file beside it, so that the last
 * spec (test/log-scan.e2e-spec.ts) can check that no secret reached the log.
 */
export const RUN_LOG_VARIABLE = 'E2E_RUN_LOG';

export function runLogPath(): string | undefined {
  return process.env[RUN_LOG_VARIABLE] || undefined;
}

function secretsPath(log: string): string {
  return `${log}.secrets`;
}

/** Where an in-process service logs: the run log, or nowhere when there is no run log. */
export function runLogDestination(): DestinationStream {
  const log = runLogPath();
  return { write: (line: string) => (log ? appendFileSync(log, line) : undefined) };
}

/** Adds what a child process printed to the run log. */
export function appendToRunLog(text: string): void {
  const log = runLogPath();
  if (log && text) appendFileSync(log, text.endsWith('\n') ? text : `${text}\n`);
}

/** Notes a value that must never appear in any log line. */
export function noteSecret(value: string | undefined): void {
  const log = runLogPath();
  // Very short values would match by accident; none of the secrets tests use is that short.
  if (log && value && value.length >= 12) appendFileSync(secretsPath(log), `${value}\n`);
}

export function readRunLog(): { log: string; secrets: string[] } {
  const log = runLogPath();
  if (!log) return { log: '', secrets: [] };
  const secrets = existsSync(secretsPath(log))
    ? [...new Set(readFileSync(secretsPath(log), 'utf8').split('\n').filter(Boolean))]
    : [];
  return { log: existsSync(log) ? readFileSync(log, 'utf8') : '', secrets };
}
