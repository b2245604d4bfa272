import { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every line, for tests that read the logs. */
export function recordingLogger(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const record = (...parts: unknown[]): void => {
    lines.push(parts.map((part) => (part instanceof Error ? part.stack : String(part))).join(' '));
  };
  return {
    lines,
    logger: {
      log: record,
      error: record,
      warn: record,
      debug: record,
      verbose: record,
      fatal: record,
    },
  };
}
