import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AppConfig } from '../config/app-config';

/** Where the generated key lives when CREDENTIALS_KEY is not set: beside the database file. */
export function credentialsKeyPath(databasePath: string): string {
  return `${databasePath}.credentials-key`;
}

/**
 * The keys for secrets at rest: the current one, which encrypts, and previous ones, which still
 * decrypt what they wrote (CREDENTIALS_KEYS, and a generated key file when CREDENTIALS_KEY has
 * replaced it), until `npm run rotate-credentials-key` has re-encrypted everything.
 */
export function loadCredentialsKeys(config: AppConfig): { current: Buffer; previous: Buffer[] } {
  const previous = [...config.previousCredentialsKeys];
  if (config.credentialsKey) {
    const file = credentialsKeyPath(config.databasePath);
    const beside = !config.postgres && config.databasePath !== ':memory:';
    if (beside && existsSync(file)) previous.push(readKeyFile(file));
    return { current: config.credentialsKey, previous };
  }
  return { current: loadCredentialsKey(config), previous };
}

/**
 * The key for secrets at rest: CREDENTIALS_KEY when set; for an in-memory database a key that lives
 * as long as the data; otherwise a key file created on first start with owner-only permissions.
 */
export function loadCredentialsKey(config: AppConfig): Buffer {
  if (config.credentialsKey) return config.credentialsKey;
  if (config.databasePath === ':memory:') return randomBytes(32);
  const path = credentialsKeyPath(config.databasePath);
  try {
    // 'wx' fails if the file exists, so two processes starting at once cannot overwrite each other's key.
    writeFileSync(path, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600); // the umask may have widened the mode
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKeyFile(path);
}

function readKeyFile(path: string): Buffer {
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(`The credentials key file ${path} does not hold a 32-byte key.`);
  }
  return key;
}
