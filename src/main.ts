import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Main').log(
    `Serving http://${config.host}:${config.port}/beta (Swagger UI at /docs) on ${config.databasePath}`,
  );
}

main().catch((error: unknown) => {
  new Logger('Main').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
