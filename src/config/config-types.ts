/** The configuration's types and defaults (loadConfig in app-config.ts reads them from the environment). */

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
  /** Operations that run by themselves. */
  readonly schedules: SchedulesConfig;
  /** The partners' directories of customer tenants. */
  readonly directory: DirectoryConfig;
  /** The partners' audit logs. */
  readonly audit: AuditConfig;
  /** Prometheus metrics. */
  readonly metrics: MetricsConfig;
  /** The partner console at /console. */
  readonly console: ConsoleConfig;
  /**
   * OpenTelemetry traces, exported over OTLP/HTTP, when OTEL_EXPORTER_OTLP_ENDPOINT (or
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and OTEL_SDK_DISABLED is not `true`.
   */
  readonly tracing?: TracingConfig;
}

/** The standard OTEL_* variables this service reads (see docs/observability.md). */
export interface TracingConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  readonly url: string;
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS (secret: an API key often goes there; never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT (default 10,000 ms): one export's deadline. */
  readonly timeoutMs: number;
  /** OTEL_SERVICE_NAME (default managed-tenant-operations). */
  readonly serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES: `key=value,…`. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG. */
  readonly sampler: { readonly name: TraceSamplerName; readonly ratio: number };
  /** OTEL_BSP_SCHEDULE_DELAY (default 5,000 ms): how often spans are sent. */
  readonly scheduleDelayMs: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE (default 2,048): spans kept waiting; more are dropped. */
  readonly maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE (default 512): spans in one export. */
  readonly maxExportBatchSize: number;
}

export type TraceSamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface MetricsConfig {
  /** METRICS_ENABLED (default on): `0` serves no `/metrics` and measures no request. */
  readonly enabled: boolean;
  /** METRICS_TOKEN (secret: never logged): the bearer token `/metrics` asks for, when set. */
  readonly token?: string;
  /** METRICS_PORT: `/metrics` is served on this port (on HOST) instead of the API's, when set. */
  readonly port?: number;
}

export interface ConsoleConfig {
  /** CONSOLE_ENABLED (default on): `0` serves no console. */
  readonly enabled: boolean;
  /**
   * Microsoft Entra ID sign-in for the console (MSAL, authorization code with PKCE), when
   * CONSOLE_CLIENT_ID and CONSOLE_AUTHORITY are both set.
   */
  readonly entra?: {
    /** CONSOLE_CLIENT_ID: the console's app registration (a single-page application). */
    readonly clientId: string;
    /** CONSOLE_AUTHORITY: e.g. https://login.microsoftonline.com/organizations */
    readonly authority: string;
    /** CONSOLE_SCOPES: the scopes the console asks for (the API's, space- or comma-separated). */
    readonly scopes: readonly string[];
  };
}

export interface AuditConfig {
  /** AUDIT_RETENTION_DAYS (default 90, fractions allowed): how long audit events are kept. */
  readonly retentionMs: number;
}

export interface DirectoryConfig {
  /**
   * DIRECTORY_REFRESH_HOURS (default 24, fractions allowed): how often a partner's directory is
   * refreshed by itself, when a refresh left a refresh token to do it with.
   */
  readonly refreshIntervalMs: number;
  /** DIRECTORY_POLL_MS (default 5000): how often refreshes that are due are looked for. */
  readonly pollMs: number;
}

export interface SchedulesConfig {
  /** SCHEDULES_ENABLED (default on): whether this instance fires schedules. */
  readonly enabled: boolean;
  /** SCHEDULES_POLL_MS (default 1000): how often due schedules are looked for. */
  readonly pollMs: number;
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
  /**
   * RUN_HISTORY_LIMIT (default 30): the runs kept per operation; when a run ends beyond it, the
   * oldest go with the rows they wrote.
   */
  readonly runHistoryLimit: number;
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
