import { Clock } from './jobs/clock';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { AppModule } from './app.module';
import { registerHttpConventions } from './common/http-conventions';
import { ODataExceptionFilter } from './common/odata-exception.filter';
import { PinoLogger } from 'nestjs-pino';
import { DestinationStream, Logger } from 'pino';
import { AppConfig } from './config/app-config';
import { createLogger, deferredLinesOf } from './logging/logger';
import { QuietStartupLogger } from './logging/startup-lines';
import { RequestLogController } from './logging/request-log';
import { requestLoggerFactory } from './logging/request-logger';
import { rewriteKeyPredicate } from './odata/key-predicate';
import { setupSwagger, SWAGGER_UI_PATH } from './swagger';
import { answerClientError, registerHardening } from './common/http-hardening';
import { registerDraining } from './common/shutdown';
import { registerMultipartBatchParser } from './batch/multipart-batch.parser';
import { registerRequestTelemetry } from './observability/request-telemetry';
import { ServiceMetrics } from './observability/service-metrics';
import { Tracing } from './observability/tracing';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** Where the JSON log lines go: stdout unless given (tests read them). */
  readonly logDestination?: DestinationStream;
  /** The root pino logger, when the caller made it (main.ts, which flushes it before exiting). */
  readonly logger?: Logger;
  /** The clock background work (and schedules) run on: the system's unless a test moves time. */
  readonly clock?: Clock;
}

/** Builds the whole application (HTTP conventions, routes, Swagger) ready to listen or inject. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  if (!config.postgres && config.databasePath !== ':memory:')
    mkdirSync(dirname(config.databasePath), { recursive: true });

  const logger =
    options.logger ??
    createLogger(
      { level: config.logLevel, pretty: config.logPretty, traceIds: config.tracing !== undefined },
      options.logDestination,
    );
  const adapter = new FastifyAdapter({
    // HTTPS on PORT when TLS_CERT_FILE/TLS_KEY_FILE are set: the Graph SDKs send their token to
    // https URLs only. Every URL the service builds then says https (src/common/inner-request.ts).
    ...(config.tls && {
      https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
    }),
    trustProxy: config.trustProxy,
    loggerInstance: logger,
    // Each request's logger is made when the request first logs through it.
    childLoggerFactory: requestLoggerFactory,
    logController: new RequestLogController(
      { requestIdLogLabel: 'requestId' },
      deferredLinesOf(logger),
    ),
    bodyLimit: MAX_BODY_BYTES,
    // `/beta/` is the service document as much as `/beta` (clients join a base URL with a slash).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    genReqId: () => randomUUID(),
    rewriteUrl: (request: { url?: string }) => rewriteKeyPredicate(request.url ?? '/'),
    clientErrorHandler: answerClientError,
    // Draining answers late requests itself (src/common/shutdown.ts).
    return503OnClosing: false,
    // No route has Express-style middleware (nestjs-pino's is not mounted, see AppModule), so
    // @fastify/middie, which would otherwise run on every request, is not registered.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, options.clock),
    adapter,
    {
      // Fastify's own JSON parser (with prototype-poisoning protection) is the only one we want:
      // a form or text body is then a 415, not something half-parsed.
      bodyParser: false,
      // Nest's own messages are JSON through pino from the first one (nestjs-pino's Logger over
      // the root logger), a failed start included; its line per module and per route at debug.
      logger: new QuietStartupLogger(new PinoLogger({ pinoHttp: { logger } }), {}),
      // A failure to start (an unreachable database, say) is thrown to the caller (main.ts logs
      // it and exits 1), rather than Nest exiting the process itself.
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  registerHttpConventions(fastify);
  registerHardening(fastify, SWAGGER_UI_PATH);
  registerMultipartBatchParser(fastify);
  registerDraining(fastify);
  registerRequestTelemetry(
    fastify,
    config.metrics.enabled ? app.get(ServiceMetrics) : undefined,
    app.get(Tracing),
  );
  if (config.corsOrigins.length > 0) {
    // Off unless CORS_ORIGINS lists the origins a browser client may call from.
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
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
  try {
    await app.init();
  } catch (error) {
    // A failed start (a lifecycle hook that threw: Redis unreachable, say) closes what it opened.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
