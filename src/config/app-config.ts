import { isAbsolute, resolve } from 'node:path';

/** Typed configuration, read from the environment once at start and validated there. */
export interface AppConfig {
  readonly host: string;
  readonly port: number;
  /** A file path, or `:memory:` for a database that lives as long as the process. */
  readonly databasePath: string;
  /** 32 bytes, from CREDENTIALS_KEY; when absent a key file beside the database is used. */
  readonly credentialsKey?: Buffer;
  /** e.g. `https://api.contoso.com`; when absent, URLs are built from the request's Host. */
  readonly publicBaseUrl?: string;
}

export class ConfigError extends Error {}

export const DEFAULT_DATABASE_PATH = './data/managed-tenant-operations.sqlite';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0-65535), not '${env.PORT}'.`);
  }
  const databasePath = env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
  return {
    host: env.HOST || '127.0.0.1',
    port,
    databasePath:
      databasePath === ':memory:' || isAbsolute(databasePath)
        ? databasePath
        : resolve(databasePath),
    credentialsKey: env.CREDENTIALS_KEY ? parseKey(env.CREDENTIALS_KEY) : undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL ? parseBaseUrl(env.PUBLIC_BASE_URL) : undefined,
  };
}

/** Accepts 32 bytes as 64 hex digits or as base64/base64url. Never echoes the value. */
function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('CREDENTIALS_KEY must be 32 bytes, as 64 hex digits or base64.');
  }
  return key;
}

function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`PUBLIC_BASE_URL must be an absolute http(s) URL, not '${text}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_BASE_URL must be an http(s) URL, not '${text}'.`);
  }
  return url.toString().replace(/\/+$/, '');
}
