import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/**
 * Nest's start-up chatter: a line per module initialised and per route mapped. It is kept at
 * debug level (LOG_LEVEL=debug shows it); at info a start says what an operator needs in a
 * handful of lines (`startupSummary`).
 */
const CHATTY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** nestjs-pino's Logger with Nest's own start-up chatter demoted to debug. */
export class QuietStartupLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && CHATTY_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
      return;
    }
    super.log(message, ...optionalParams);
  }
}

/** The service's name and version, from its package.json (found from here, in src or dist). */
export function serviceVersion(): { name: string; version: string } {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    const file = join(folder, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'managed-tenant-operations')
        return { name: manifest.name, version: manifest.version ?? '0.0.0' };
    }
    if (dirname(folder) === folder) return { name: 'managed-tenant-operations', version: '0.0.0' };
  }
}

/**
 * What a start says before it serves: the version, the database, the engine, the notifications
 * and the schedules. Never a secret (no DATABASE_URL: it may hold a password; no client secret).
 */
export function startupSummary(config: AppConfig): string[] {
  const { name, version } = serviceVersion();
  const engine = config.engine;
  const notifications = config.changes.notifications;
  return [
    `${name} ${version} on Node ${process.version}`,
    `Database: ${describeDatabase(config)}`,
    engine.enabled
      ? `Engine: on, ${engine.concurrency} tenants at a time, Graph at ${engine.graphApiUrl}, ` +
        `${engine.maxAttempts} attempts a call, ${engine.callTimeoutMs} ms a call, ` +
        (engine.client
          ? `on-behalf-of as app ${engine.client.id}`
          : 'no app (DAP token sent as is)')
      : 'Engine: off on this instance (ENGINE_ENABLED=0)',
    notifications.enabled
      ? `Notifications: on, ${notifications.concurrency} deliveries at a time, retried for ` +
        `${Math.round(notifications.retryMs / 3_600_000)} h; schedules ${config.schedules.enabled ? 'on' : 'off'}`
      : `Notifications: off on this instance; schedules ${config.schedules.enabled ? 'on' : 'off'}`,
    (config.metrics.enabled
      ? `Metrics: /metrics on ${config.metrics.port === undefined ? 'the API port' : `port ${config.metrics.port}`}` +
        (config.metrics.token ? ' (bearer token)' : ' (open)')
      : 'Metrics: off (METRICS_ENABLED=0)') +
      (config.tracing
        ? `; traces to ${new URL(config.tracing.url).origin} as ${config.tracing.serviceName}`
        : '; traces off (no OTEL_EXPORTER_OTLP_ENDPOINT)'),
  ];
}

export function describeDatabase(config: AppConfig): string {
  if (config.postgres) {
    const schema = config.postgres.schema ? `, schema ${config.postgres.schema}` : '';
    return `PostgreSQL (pool of ${config.postgres.poolSize}${schema})`;
  }
  return config.databasePath === ':memory:'
    ? 'SQLite in memory (nothing is kept after a stop)'
    : `SQLite ${config.databasePath}`;
}
