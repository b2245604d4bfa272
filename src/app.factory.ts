import { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { AppModule } from './app.module';
import { registerHttpConventions } from './common/http-conventions';
import { ODataExceptionFilter } from './common/odata-exception.filter';
import { AppConfig, LOG_LEVELS } from './config/app-config';
import { rewriteKeyPredicate } from './odata/key-predicate';
import { setupSwagger, SWAGGER_UI_PATH } from './swagger';
import { answerClientError, registerHardening } from './common/http-hardening';
import { registerDraining } from './common/shutdown';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** Nest's log levels, `false` for none, or a logger of its own (tests). */
  readonly logger?: LogLevel[] | false | LoggerService;
}

/** Builds the whole application (HTTP conventions, routes, Swagger) ready to listen or inject. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  if (config.databasePath !== ':memory:')
    mkdirSync(dirname(config.databasePath), { recursive: true });

  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // `/beta/` is the service document as much as `/beta` (clients join a base URL with a slash).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    genReqId: () => randomUUID(),
    rewriteUrl: (request: { url?: string }) => rewriteKeyPredicate(request.url ?? '/'),
    clientErrorHandler: answerClientError,
    // Draining answers late requests itself (src/common/shutdown.ts).
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // Fastify's own JSON parser (with prototype-poisoning protection) is the only one we want:
    // a form or text body is then a 415, not something half-parsed.
    bodyParser: false,
    logger: options.logger ?? LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  registerHttpConventions(fastify);
  registerHardening(fastify, SWAGGER_UI_PATH);
  registerDraining(fastify);
  if (config.corsOrigins.length > 0) {
    // Off unless CORS_ORIGINS lists the origins a browser client may call from.
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'prefer',
        'if-match',
        'if-none-match',
        'client-request-id',
        'accept',
      ],
      exposedHeaders: [
        'request-id',
        'client-request-id',
        'etag',
        'location',
        'odata-entityid',
        'odata-version',
        'preference-applied',
        'retry-after',
      ],
      maxAge: 600,
    });
  }
  app.useGlobalFilters(new ODataExceptionFilter(fastify));
  setupSwagger(app);
  await app.init();
  return app;
}
