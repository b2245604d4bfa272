import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { redactSecrets } from '../../common/redaction';
import { describe } from './engine-types';

/**
 * How the engine speaks of failures: the service's own secrets (its client secret) scrubbed from
 * every message and log line, and failures inside the service reported to the client only as
 * what happened in its terms and an error id, the detail in the log.
 */
export class EngineErrors {
  private readonly logger = new Logger('RunWorker');

  constructor(private readonly serviceSecrets: readonly string[]) {}

  /** `text` without the service's secrets or `secrets`. */
  scrubbed(text: string, ...secrets: string[]): string {
    return redactSecrets(text, [...secrets, ...this.serviceSecrets]);
  }

  /** Logs `error` (scrubbed) with an error id; the message for the client names only the id. */
  internal(what: string, error: unknown, subject: string): string {
    const errorId = randomUUID();
    this.logger.error(
      `${what} (${subject}, error id ${errorId}): ${this.scrubbed(describe(error))}`,
    );
    return `${what} (error id ${errorId}).`;
  }

  log(message: string): void {
    this.logger.log(message);
  }

  error(what: string, error: unknown): void {
    this.logger.error(`${what}: ${this.scrubbed(describe(error))}`);
  }
}
