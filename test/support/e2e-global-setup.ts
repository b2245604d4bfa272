import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_LOG_VARIABLE } from './run-log';

/** Names the log file of this e2e run (see run-log.ts); the files stay in the OS temp folder. */
export default function globalSetup(): void {
  // The console's files, as `npm install` builds them, from the sources as they are now.
  execFileSync(process.execPath, [join(__dirname, '../../scripts/build-console.mjs')], {
    stdio: 'ignore',
  });
  process.env[RUN_LOG_VARIABLE] = join(mkdtempSync(join(tmpdir(), 'mto-e2e-run-')), 'service.log');
}
