import { isAbsolute, resolve } from 'node:path';
import {
  parseAuth,
  parseBaseUrl,
  parseConsole,
  parseEngine,
  parseKey,
  parseLogLevel,
  parseNotifications,
  parsePostgres,
  parseRedisUrl,
  parseSwitch,
  parseTls,
  parseTracing,
  parseTrustProxy,
  positiveInteger,
  positiveNumber,
} from './config-parsers';
import {
  AppConfig,
  ConfigError,
  DEFAULT_DATABASE_PATH,
  DEFAULT_THROTTLE_LIMIT,
  DEFAULT_THROTTLE_WINDOW_SECONDS,
} from './config-types';

export * from './config-types';

/**
 * @param stdoutIsTerminal whether the log goes to a person's terminal (then it is readable by
 *   default) or to a pipe, a file or a container's log (then it is JSON). main.ts says; anything
 *   else that builds a configuration (tests, benchmarks) gets JSON unless LOG_PRETTY asks.
 */
function portNumber(text: string, name: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), not '${text}'.`);
  }
  return port;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal = false,
): AppConfig {
  const port = portNumber(env.PORT ?? '3000', 'PORT');
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
    schedules: {
      enabled: parseSwitch(env, 'SCHEDULES_ENABLED', true),
      pollMs: positiveInteger(env, 'SCHEDULES_POLL_MS', 1_000),
    },
    tracing: parseTracing(env),
    metrics: {
      enabled: parseSwitch(env, 'METRICS_ENABLED', true),
      token: env.METRICS_TOKEN || undefined,
      port: env.METRICS_PORT ? portNumber(env.METRICS_PORT, 'METRICS_PORT') : undefined,
    },
    console: parseConsole(env),
    audit: {
      retentionMs: positiveNumber(env, 'AUDIT_RETENTION_DAYS', 90) * 86_400_000,
    },
    directory: {
      refreshIntervalMs: positiveNumber(env, 'DIRECTORY_REFRESH_HOURS', 24) * 3_600_000,
      pollMs: positiveInteger(env, 'DIRECTORY_POLL_MS', 5_000),
    },
  };
}
