import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const logger = new Logger('Main');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // Stop accepting connections, let in-flight requests finish, close the database, exit 0;
    // exit 1 if that takes longer than SHUTDOWN_TIMEOUT_MS.
    logger.log(`${signal}: finishing in-flight requests (at most ${config.shutdownTimeoutMs} ms)`);
    const deadline = setTimeout(() => {
      logger.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting anyway.`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
      .then(() => {
        logger.log('Stopped cleanly.');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen(config.port, config.host);
  // Never the DATABASE_URL itself: it may hold a password.
  const database = config.postgres
    ? `PostgreSQL${config.postgres.schema ? ` (schema ${config.postgres.schema})` : ''}`
    : config.databasePath;
  logger.log(
    `Serving http://${config.host}:${config.port}/beta (Swagger UI at /docs) on ${database}`,
  );
}

main().catch((error: unknown) => {
  new Logger('Main').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
