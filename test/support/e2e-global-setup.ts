import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_LOG_VARIABLE } from './run-log';

/** Names the log file of this e2e run (see run-log.ts); the files stay in the OS temp folder. */
export default function globalSetup(): void {
  process.env[RUN_LOG_VARIABLE] = join(mkdtempSync(join(tmpdir(), 'mto-e2e-run-')), 'service.log');
}
