import 'reflect-metadata';
import { Logger } from 'pino';
import { createApp } from './app.factory';
import { AppConfig, loadConfig } from './config/app-config';
import { createLogger } from './logging/logger';
import { describeDatabase, startupSummary } from './logging/startup-lines';

/**
 * Exits once every log line is written: the log goes to stdout asynchronously, and a process that
 * exits at once would lose its last lines (the reason it stopped, say).
 */
function exitAfterFlush(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
}

async function main(config: AppConfig, logger: Logger): Promise<void> {
  const log = logger.child({ context: 'Main' });
  for (const line of startupSummary(config)) log.info(line);
  const app = await createApp(config, { logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // Stop accepting connections, let in-flight requests finish, close the database, exit 0;
    // exit 1 if that takes longer than SHUTDOWN_TIMEOUT_MS.
    log.info(`${signal}: finishing in-flight requests (at most ${config.shutdownTimeoutMs} ms)`);
    const deadline = setTimeout(() => {
      log.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting anyway.`);
      exitAfterFlush(logger, 1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
      .then(() => {
        log.info('Stopped cleanly.');
        exitAfterFlush(logger, 0);
      })
      .catch((error: unknown) => {
        log.error(error instanceof Error ? error.message : String(error));
        exitAfterFlush(logger, 1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen(config.port, config.host);
  log.info(
    `Serving ${config.tls ? 'https' : 'http'}://${config.host}:${config.port}/beta (Swagger UI at /docs) on ${describeDatabase(config)}`,
  );
}

let config: AppConfig;
try {
  config = loadConfig(process.env, process.stdout.isTTY === true);
} catch (error) {
  // No configuration, so no logger settings yet: the message goes to stderr as it is.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const logger = createLogger({
  level: config.logLevel,
  pretty: config.logPretty,
  traceIds: config.tracing !== undefined,
});
main(config, logger).catch((error: unknown) => {
  logger.error({ context: 'Main' }, error instanceof Error ? error.message : String(error));
  exitAfterFlush(logger, 1);
});
