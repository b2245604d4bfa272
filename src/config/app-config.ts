import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Typed configuration, read from the environment once at start and validated there. */
export interface AppConfig {
  readonly host: string;
  readonly port: number;
  /** A file path, or `:memory:` for a database that lives as long as the process (SQLite). */
  readonly databasePath: string;
  /** DATABASE_URL: PostgreSQL instead of SQLite, shared by any number of instances. */
  readonly postgres?: PostgresConfig;
  /** 32 bytes, from CREDENTIALS_KEY; when absent a key file beside the database is used. */
  readonly credentialsKey?: Buffer;
  /** Earlier keys (CREDENTIALS_KEYS, comma-separated), to decrypt what they wrote until rotated. */
  readonly previousCredentialsKeys: readonly Buffer[];
  /** e.g. `https://api.contoso.com`; when absent, URLs are built from the request's Host. */
  readonly publicBaseUrl?: string;
  /** TLS_CERT_FILE and TLS_KEY_FILE (PEM): serve HTTPS on PORT instead of HTTP. */
  readonly tls?: TlsConfig;
  /**
   * TRUST_PROXY: whether X-Forwarded-Proto/-Host (and -For) are believed, and from whom: `true`
   * for any peer (the service is reachable only through its proxy), or the proxies' addresses
   * and CIDR ranges. Off, those headers are ignored, so a client cannot choose its links.
   */
  readonly trustProxy: boolean | string;
  readonly auth: AuthConfig;
  /** Requests per partner tenant per window (THROTTLE_LIMIT, THROTTLE_WINDOW_SECONDS). */
  readonly throttle: { readonly limit: number; readonly windowSeconds: number };
  /** REDIS_URL: where the throttle counters live, shared by every instance (secret: never logged). */
  readonly redisUrl?: string;
  /** Origins allowed by CORS; none (CORS off) by default. */
  readonly corsOrigins: readonly string[];
  /** How long a SIGTERM/SIGINT waits for in-flight requests before exiting anyway. */
  readonly shutdownTimeoutMs: number;
  /** The least severe level logged (LOG_LEVEL): `log` includes one line per request. */
  readonly logLevel: LogLevelName;
  /**
   * DEVELOPMENT_ISSUER_KEY: the development issuer's key pair (JSON, `npm run token --
   * --new-issuer-key` makes one), so that several instances trust the same tokens. Without it, a
   * key file beside the SQLite database; with DATABASE_URL and no AUTH_*, it is required.
   */
  readonly developmentIssuerKey?: string;
  /**
   * Readable coloured lines (pino-pretty) instead of JSON: when stdout is a terminal, unless
   * LOG_PRETTY says otherwise (`0` forces JSON, `1` forces readable lines into a pipe too).
   */
  readonly logPretty: boolean;
  /** How operations are run in the partner's customer tenants. */
  readonly engine: EngineConfig;
  /** Delta queries and change notifications. */
  readonly changes: ChangesConfig;
}

export interface ChangesConfig {
  /**
   * DELTA_RETENTION_DAYS (default 7, fractions allowed): how long changes and tombstones are
   * kept, and so how long a delta token stays good.
   */
  readonly retentionMs: number;
  readonly notifications: NotificationsConfig;
}

/** Change notifications (webhooks). */
export interface NotificationsConfig {
  /** NOTIFICATIONS_ENABLED (default on): whether this instance sends notifications. */
  readonly enabled: boolean;
  /**
   * NOTIFICATION_ALLOWED_HTTP_HOSTS: hosts that may be called over plain http, and whose
   * private or loopback addresses are allowed (`127.0.0.1,localhost` for local development).
   */
  readonly allowedHttpHosts: readonly string[];
  /** NOTIFICATION_RETRY_HOURS (default 4): how long a notification is retried before it is dropped. */
  readonly retryMs: number;
  /** NOTIFICATION_RETRY_BASE_MS (default 5,000): the first retry's delay, doubled each time. */
  readonly retryBaseMs: number;
  /** NOTIFICATION_TIMEOUT_MS (default 3,000): how long a receiver has to answer 2xx. */
  readonly timeoutMs: number;
  /** NOTIFICATION_MAX_PER_POST (default 100): notifications in one POST at most. */
  readonly maxPerPost: number;
  /** NOTIFICATION_CONCURRENCY (default 32): POSTs in flight per instance, one per subscription. */
  readonly concurrency: number;
  /** NOTIFICATION_POLL_MS (default 100): how often the outbox is looked at. */
  readonly pollMs: number;
  /** SUBSCRIPTION_GRACE_SECONDS (default 3,600): how long an expired subscription is kept. */
  readonly expiredGraceMs: number;
  /** SUBSCRIPTION_MAX_PER_TENANT (default 1,000): active subscriptions a partner tenant may have. */
  readonly maxPerTenant: number;
}

/** The operation engine: where it calls, how hard, and how it recovers. */
export interface EngineConfig {
  /** GRAPH_API_URL: the Graph endpoint's origin; the only place statements are sent. */
  readonly graphApiUrl: string;
  /** ENTRA_AUTHORITY_URL: where `{tenant}/oauth2/v2.0/token` is (an origin, or one with a path). */
  readonly authorityUrl: string;
  /**
   * ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET (secret: never logged): the app that exchanges the
   * operation's dapAccessToken for a token in each tenant (on-behalf-of). Without a client id the
   * dapAccessToken itself is sent to every tenant.
   */
  readonly client?: { readonly id: string; readonly secret?: string };
  /** ENGINE_ENABLED: whether this instance works on runs (`0` for an API-only instance). */
  readonly enabled: boolean;
  /** ENGINE_CONCURRENCY: Graph calls in flight per instance (one per tenant being run). */
  readonly concurrency: number;
  /** ENGINE_MAX_ATTEMPTS: tries of one call, the first included. */
  readonly maxAttempts: number;
  /** ENGINE_CALL_TIMEOUT_MS: one call's time limit. */
  readonly callTimeoutMs: number;
  /** ENGINE_MAX_TENANT_BYTES (default 16 MiB): the most bytes of rows one tenant of a run keeps. */
  readonly maxTenantBytes: number;
  /** ENGINE_MAX_AGGREGATE_BYTES (default 64 MiB): the most bytes of rows a run's aggregate keeps. */
  readonly maxAggregateBytes: number;
  /** ENGINE_RETRY_BASE_MS: the first backoff; each retry doubles it (with jitter), to 30 s. */
  readonly retryBaseMs: number;
  /** ENGINE_LEASE_SECONDS: how long a claim holds without renewal before another worker takes it. */
  readonly leaseMs: number;
  /** ENGINE_POLL_MS: how often an idle worker looks for work. */
  readonly pollMs: number;
}

export const DEFAULT_GRAPH_API_URL = 'https://graph.microsoft.com';
export const DEFAULT_AUTHORITY_URL = 'https://login.microsoftonline.com';
export const DEFAULT_ENGINE_CONCURRENCY = 32;

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface PostgresConfig {
  /** `postgres://user:password@host:5432/database` (secret: never logged). */
  readonly url: string;
  /** DATABASE_SCHEMA: the schema of the tables (default `public`). */
  readonly schema?: string;
  /** DATABASE_POOL_SIZE: connections per instance. */
  readonly poolSize: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: a statement running longer is cancelled. */
  readonly statementTimeoutMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * Where bearer tokens come from. `development`: no identity provider is configured, so the service
 * runs its own issuer with a key pair beside the database (`npm run token` mints tokens for it).
 */
export type AuthConfig =
  | { readonly mode: 'development'; readonly issuer: string; readonly audience: string }
  | {
      readonly mode: 'jwks';
      readonly issuer: string;
      readonly audience: string;
      readonly jwksUri?: string;
      readonly jwksFile?: string;
      /** After a fetch of the JWKS, how long an unknown key id waits before another fetch. */
      readonly jwksCooldownMs: number;
    };

export const DEVELOPMENT_ISSUER = 'https://login.managed-tenant-operations.local/development';
export const DEVELOPMENT_AUDIENCE = 'https://graph.microsoft.com';

export class ConfigError extends Error {}

/**
 * Per partner tenant: 150,000 requests per 10 seconds, more than one client gets from the service
 * on the machines we measure on (docs/operating.md, Throttling), as Graph's per-tenant budgets are counted
 * in 10-second windows.
 */
export const DEFAULT_THROTTLE_LIMIT = 150_000;
export const DEFAULT_THROTTLE_WINDOW_SECONDS = 10;

export const DEFAULT_DATABASE_PATH = './data/managed-tenant-operations.sqlite';

/**
 * @param stdoutIsTerminal whether the log goes to a person's terminal (then it is readable by
 *   default) or to a pipe, a file or a container's log (then it is JSON). main.ts says; anything
 *   else that builds a configuration (tests, benchmarks) gets JSON unless LOG_PRETTY asks.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal = false,
): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0-65535), not '${env.PORT}'.`);
  }
  const databasePath = env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
  const postgres = parsePostgres(env);
  if (postgres && !env.CREDENTIALS_KEY) {
    throw new ConfigError(
      'With DATABASE_URL, set CREDENTIALS_KEY: every instance must encrypt with the same key, ' +
        'so it comes from configuration, not from a file beside one instance.',
    );
  }
  const developmentIssuerKey = env.DEVELOPMENT_ISSUER_KEY || undefined;
  const auth = parseAuth(env);
  if (postgres && auth.mode === 'development' && !developmentIssuerKey) {
    throw new ConfigError(
      'With DATABASE_URL, configure AUTH_* (an identity provider), or for development set ' +
        'DEVELOPMENT_ISSUER_KEY (`npm run token -- --new-issuer-key` prints one) so that every ' +
        'instance trusts the same tokens.',
    );
  }
  return {
    postgres,
    developmentIssuerKey,
    host: env.HOST || '127.0.0.1',
    port,
    databasePath:
      databasePath === ':memory:' || isAbsolute(databasePath)
        ? databasePath
        : resolve(databasePath),
    credentialsKey: env.CREDENTIALS_KEY ? parseKey(env.CREDENTIALS_KEY) : undefined,
    previousCredentialsKeys: (env.CREDENTIALS_KEYS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean)
      .map((key) => parseKey(key, 'CREDENTIALS_KEYS')),
    publicBaseUrl: env.PUBLIC_BASE_URL ? parseBaseUrl(env.PUBLIC_BASE_URL) : undefined,
    tls: parseTls(env),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    auth,
    throttle: {
      limit: positiveInteger(env, 'THROTTLE_LIMIT', DEFAULT_THROTTLE_LIMIT),
      windowSeconds: positiveInteger(
        env,
        'THROTTLE_WINDOW_SECONDS',
        DEFAULT_THROTTLE_WINDOW_SECONDS,
      ),
    },
    redisUrl: parseRedisUrl(env.REDIS_URL),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    logPretty: parseSwitch(env, 'LOG_PRETTY', stdoutIsTerminal),
    shutdownTimeoutMs: positiveInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    engine: parseEngine(env),
    changes: {
      retentionMs: positiveNumber(env, 'DELTA_RETENTION_DAYS', 7) * 86_400_000,
      notifications: parseNotifications(env),
    },
  };
}

function parseNotifications(env: NodeJS.ProcessEnv): NotificationsConfig {
  return {
    enabled: parseSwitch(env, 'NOTIFICATIONS_ENABLED', true),
    allowedHttpHosts: (env.NOTIFICATION_ALLOWED_HTTP_HOSTS ?? '')
      .split(',')
      .map((host) =>
        host
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1'),
      )
      .filter(Boolean),
    retryMs: positiveNumber(env, 'NOTIFICATION_RETRY_HOURS', 4) * 3_600_000,
    retryBaseMs: positiveInteger(env, 'NOTIFICATION_RETRY_BASE_MS', 5_000),
    timeoutMs: positiveInteger(env, 'NOTIFICATION_TIMEOUT_MS', 3_000),
    maxPerPost: positiveInteger(env, 'NOTIFICATION_MAX_PER_POST', 100),
    concurrency: positiveInteger(env, 'NOTIFICATION_CONCURRENCY', 32),
    pollMs: positiveInteger(env, 'NOTIFICATION_POLL_MS', 100),
    expiredGraceMs: positiveInteger(env, 'SUBSCRIPTION_GRACE_SECONDS', 3_600) * 1_000,
    maxPerTenant: positiveInteger(env, 'SUBSCRIPTION_MAX_PER_TENANT', 1_000),
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) {
    throw new ConfigError(`${name} must be a positive number, not '${text}'.`);
  }
  return value;
}

function parseEngine(env: NodeJS.ProcessEnv): EngineConfig {
  const origin = (name: string, fallback: string): string => {
    const url = new URL(parseBaseUrl(env[name] || fallback, name));
    if (url.pathname !== '/' || url.search || url.username || url.password) {
      throw new ConfigError(`${name} must be an origin like ${fallback}, without a path.`);
    }
    return url.origin;
  };
  // The identity platform may sit behind a proxy with a path of its own: `{url}/{tenant}/oauth2/…`.
  const authority = (): string => {
    const name = 'ENTRA_AUTHORITY_URL';
    const url = new URL(parseBaseUrl(env[name] || DEFAULT_AUTHORITY_URL, name));
    if (
      url.search ||
      url.hash ||
      url.username ||
      url.password ||
      /\/\.\.?(\/|$)/.test(url.pathname)
    ) {
      throw new ConfigError(
        `${name} must be a URL like ${DEFAULT_AUTHORITY_URL}, without a query or credentials.`,
      );
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
  };
  const clientId = env.ENTRA_CLIENT_ID || undefined;
  if (!clientId && env.ENTRA_CLIENT_SECRET) {
    throw new ConfigError('ENTRA_CLIENT_SECRET goes with ENTRA_CLIENT_ID.');
  }
  return {
    graphApiUrl: origin('GRAPH_API_URL', DEFAULT_GRAPH_API_URL),
    authorityUrl: authority(),
    client: clientId ? { id: clientId, secret: env.ENTRA_CLIENT_SECRET || undefined } : undefined,
    enabled: parseSwitch(env, 'ENGINE_ENABLED', true),
    concurrency: positiveInteger(env, 'ENGINE_CONCURRENCY', DEFAULT_ENGINE_CONCURRENCY),
    maxAttempts: positiveInteger(env, 'ENGINE_MAX_ATTEMPTS', 5),
    callTimeoutMs: positiveInteger(env, 'ENGINE_CALL_TIMEOUT_MS', 30_000),
    retryBaseMs: positiveInteger(env, 'ENGINE_RETRY_BASE_MS', 1_000),
    maxTenantBytes: positiveInteger(env, 'ENGINE_MAX_TENANT_BYTES', 16 * 1024 * 1024),
    maxAggregateBytes: positiveInteger(env, 'ENGINE_MAX_AGGREGATE_BYTES', 64 * 1024 * 1024),
    leaseMs: positiveInteger(env, 'ENGINE_LEASE_SECONDS', 30) * 1000,
    pollMs: positiveInteger(env, 'ENGINE_POLL_MS', 500),
  };
}

function parsePostgres(env: NodeJS.ProcessEnv): PostgresConfig | undefined {
  const url = env.DATABASE_URL;
  if (!url) return undefined;
  requireSecretUrl(
    'DATABASE_URL',
    url,
    ['postgres:', 'postgresql:'],
    'a URL like postgres://user@host:5432/database (SQLite takes DATABASE_PATH)',
  );
  const schema = env.DATABASE_SCHEMA || undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('DATABASE_SCHEMA must be a lower-case SQL identifier.');
  }
  return {
    url,
    schema,
    poolSize: positiveInteger(env, 'DATABASE_POOL_SIZE', 10),
    statementTimeoutMs: positiveInteger(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000),
  };
}

function parseRedisUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  requireSecretUrl('REDIS_URL', text, ['redis:', 'rediss:'], 'a URL like redis://127.0.0.1:6379');
  return text;
}

/** A URL that may hold a password: checked for its scheme, and never echoed in the message. */
function requireSecretUrl(
  name: string,
  text: string,
  protocols: readonly string[],
  expected: string,
): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (!protocol || !protocols.includes(protocol)) {
    throw new ConfigError(`${name} must be ${expected}.`);
  }
}

function parseTls(env: NodeJS.ProcessEnv): TlsConfig | undefined {
  const { TLS_CERT_FILE, TLS_KEY_FILE } = env;
  if (!TLS_CERT_FILE && !TLS_KEY_FILE) return undefined;
  if (!TLS_CERT_FILE || !TLS_KEY_FILE) {
    throw new ConfigError(
      'TLS_CERT_FILE and TLS_KEY_FILE go together (PEM files; `npm run dev-cert` makes a pair).',
    );
  }
  for (const [name, file] of [
    ['TLS_CERT_FILE', TLS_CERT_FILE],
    ['TLS_KEY_FILE', TLS_KEY_FILE],
  ]) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new ConfigError(`${name} names '${file}', which cannot be read.`);
    }
  }
  return { certFile: resolve(TLS_CERT_FILE), keyFile: resolve(TLS_KEY_FILE) };
}

/** `1`/`true` trusts any peer; a list of addresses or CIDR ranges trusts those; unset/`0` none. */
function parseTrustProxy(text: string | undefined): boolean | string {
  const value = (text ?? '').trim();
  if (['', '0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  const addresses = value.split(',').map((address) => address.trim());
  if (addresses.some((address) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(address))) {
    throw new ConfigError(
      `TRUST_PROXY must be 1, 0 or a comma-separated list of proxy addresses or CIDR ranges, not '${text}'.`,
    );
  }
  return addresses.join(',');
}

function parseAuth(env: NodeJS.ProcessEnv): AuthConfig {
  const { AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI, AUTH_JWKS_FILE } = env;
  if (!AUTH_ISSUER && !AUTH_AUDIENCE && !AUTH_JWKS_URI && !AUTH_JWKS_FILE) {
    return { mode: 'development', issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE };
  }
  if (!AUTH_ISSUER || !AUTH_AUDIENCE || (!AUTH_JWKS_URI && !AUTH_JWKS_FILE)) {
    throw new ConfigError(
      'AUTH_ISSUER, AUTH_AUDIENCE and one of AUTH_JWKS_URI or AUTH_JWKS_FILE go together; ' +
        'set all of them, or none for the development issuer.',
    );
  }
  if (AUTH_JWKS_URI) parseBaseUrl(AUTH_JWKS_URI, 'AUTH_JWKS_URI');
  return {
    mode: 'jwks',
    issuer: AUTH_ISSUER,
    audience: AUTH_AUDIENCE,
    jwksUri: AUTH_JWKS_URI || undefined,
    jwksFile: AUTH_JWKS_FILE || undefined,
    jwksCooldownMs:
      env.AUTH_JWKS_COOLDOWN_MS === '0' ? 0 : positiveInteger(env, 'AUTH_JWKS_COOLDOWN_MS', 30_000),
  };
}

function parseLogLevel(text: string | undefined): LogLevelName {
  if (text === undefined || text === '') return 'log';
  const level = text.toLowerCase() === 'info' ? 'log' : text.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${text}'.`);
  }
  return level as LogLevelName;
}

/** An on/off setting: `1`/`true`/`yes` or `0`/`false`/`no`, `fallback` when unset. */
function parseSwitch(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = (env[name] ?? '').trim().toLowerCase();
  if (text === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be 1 or 0, not '${env[name]}'.`);
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, not '${text}'.`);
  }
  return value;
}

/** Accepts 32 bytes as 64 hex digits or as base64/base64url. Never echoes the value. */
function parseKey(text: string, name = 'CREDENTIALS_KEY'): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${name} must hold 32-byte keys, as 64 hex digits or base64.`);
  }
  return key;
}

function parseBaseUrl(text: string, name = 'PUBLIC_BASE_URL'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, not '${text}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, not '${text}'.`);
  }
  return url.toString().replace(/\/+$/, '');
}
