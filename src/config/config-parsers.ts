import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import {
  AuthConfig,
  ConsoleConfig,
  ConfigError,
  DEFAULT_AUTHORITY_URL,
  DEFAULT_ENGINE_CONCURRENCY,
  DEFAULT_GRAPH_API_URL,
  DEVELOPMENT_AUDIENCE,
  DEVELOPMENT_ISSUER,
  EngineConfig,
  LOG_LEVELS,
  LogLevelName,
  NotificationsConfig,
  PostgresConfig,
  TlsConfig,
  TraceSamplerName,
  TracingConfig,
} from './config-types';

/** Parsers of the environment's values, each refusing what it cannot use with a ConfigError. */

export function parseNotifications(env: NodeJS.ProcessEnv): NotificationsConfig {
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

export function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) {
    throw new ConfigError(`${name} must be a positive number, not '${text}'.`);
  }
  return value;
}

export function parseEngine(env: NodeJS.ProcessEnv): EngineConfig {
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
    runHistoryLimit: positiveInteger(env, 'RUN_HISTORY_LIMIT', 30),
    leaseMs: positiveInteger(env, 'ENGINE_LEASE_SECONDS', 30) * 1000,
    pollMs: positiveInteger(env, 'ENGINE_POLL_MS', 500),
  };
}

export function parsePostgres(env: NodeJS.ProcessEnv): PostgresConfig | undefined {
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

export function parseRedisUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  requireSecretUrl('REDIS_URL', text, ['redis:', 'rediss:'], 'a URL like redis://127.0.0.1:6379');
  return text;
}

/** A URL that may hold a password: checked for its scheme, and never echoed in the message. */
export function requireSecretUrl(
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

export function parseTls(env: NodeJS.ProcessEnv): TlsConfig | undefined {
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
export function parseTrustProxy(text: string | undefined): boolean | string {
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

export function parseAuth(env: NodeJS.ProcessEnv): AuthConfig {
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

export function parseLogLevel(text: string | undefined): LogLevelName {
  if (text === undefined || text === '') return 'log';
  const level = text.toLowerCase() === 'info' ? 'log' : text.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${text}'.`);
  }
  return level as LogLevelName;
}

/** An on/off setting: `1`/`true`/`yes` or `0`/`false`/`no`, `fallback` when unset. */
export function parseSwitch(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = (env[name] ?? '').trim().toLowerCase();
  if (text === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be 1 or 0, not '${env[name]}'.`);
}

export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, not '${text}'.`);
  }
  return value;
}

/** Accepts 32 bytes as 64 hex digits or as base64/base64url. Never echoes the value. */
export function parseKey(text: string, name = 'CREDENTIALS_KEY'): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${name} must hold 32-byte keys, as 64 hex digits or base64.`);
  }
  return key;
}

export function parseBaseUrl(text: string, name = 'PUBLIC_BASE_URL'): string {
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

const SAMPLERS: readonly TraceSamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** `key=value,key2=value2` (W3C Baggage-like, values percent-decoded), as OTEL_* lists are. */
function keyValueList(text: string | undefined, name: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    if (at <= 0) throw new ConfigError(`${name} must be key=value pairs separated by commas.`);
    try {
      pairs[item.slice(0, at).trim()] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw new ConfigError(`${name} has a value that is not percent-encoded correctly.`);
    }
  }
  return pairs;
}

/** Traces: on when an OTLP endpoint is configured (the standard OTEL_* variables). */
export function parseTracing(env: NodeJS.ProcessEnv): TracingConfig | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return undefined;
  if ((env.OTEL_TRACES_EXPORTER ?? 'otlp').toLowerCase() === 'none') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    : env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined;
  if (endpoint === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL.');
  }
  const sampler = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(sampler)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}.`);
  }
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new ConfigError('OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1.');
  }
  return {
    url: url.href,
    headers: {
      ...keyValueList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...keyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    timeoutMs: positiveInteger(
      env,
      env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT
        ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
        : 'OTEL_EXPORTER_OTLP_TIMEOUT',
      10_000,
    ),
    serviceName: env.OTEL_SERVICE_NAME || 'managed-tenant-operations',
    resourceAttributes: keyValueList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES'),
    sampler: { name: sampler as TraceSamplerName, ratio },
    scheduleDelayMs: positiveInteger(env, 'OTEL_BSP_SCHEDULE_DELAY', 5_000),
    maxQueueSize: positiveInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2_048),
    maxExportBatchSize: positiveInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512),
  };
}

/**
 * The console: on unless CONSOLE_ENABLED=0; Microsoft Entra ID sign-in when CONSOLE_CLIENT_ID and
 * CONSOLE_AUTHORITY are both set (one without the other is a mistake worth stopping for).
 */
export function parseConsole(env: NodeJS.ProcessEnv): ConsoleConfig {
  const enabled = parseSwitch(env, 'CONSOLE_ENABLED', true);
  const { CONSOLE_CLIENT_ID: clientId, CONSOLE_AUTHORITY: authority } = env;
  if (!clientId && !authority) return { enabled };
  if (!clientId || !authority) {
    throw new ConfigError(
      'CONSOLE_CLIENT_ID and CONSOLE_AUTHORITY go together: set both for Microsoft Entra ID ' +
        'sign-in in the console, or neither.',
    );
  }
  const url = parseBaseUrl(authority, 'CONSOLE_AUTHORITY');
  if (!url.startsWith('https://')) {
    throw new ConfigError(`CONSOLE_AUTHORITY must be an https URL, not '${authority}'.`);
  }
  const scopes = (env.CONSOLE_SCOPES ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) {
    throw new ConfigError(
      "CONSOLE_SCOPES must name the API's scope the console asks for, such as " +
        "'api://<api app id>/ManagedTenants.ReadWrite.All'.",
    );
  }
  return { enabled, entra: { clientId, authority: url, scopes } };
}
