/**
 * `npm run bench -- --nest`: the bare baseline's answers (answers.js, the same SQL and the same
 * responses) served by NestJS 11 on its Fastify adapter, as the service is served, with nothing of
 * the service's own: no guard, pipe, interceptor, hook or logger. What the service adds over this
 * is the API's work (authentication, throttling, OData parsing and checking, representations from
 * the model, conventions, logs and metrics); what this adds over the bare baseline is the
 * framework's routing and execution context.
 *
 * Usage: node -r ts-node/register/transpile-only bench/baseline/nest-server.ts <databasePath> <port>
 */
import 'reflect-metadata';
import { Controller, Get, Module, Patch, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const answers = require('./answers') as Record<'create' | 'getByKey' | 'list' | 'patch', Handler>;

@Controller('beta/managedTenantOperations')
class BaselineController {
  @Post()
  create(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return answers.create(request, reply);
  }

  @Get(':id')
  getByKey(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return answers.getByKey(request, reply);
  }

  @Get()
  list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return answers.list(request, reply);
  }

  @Patch(':id')
  patch(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return answers.patch(request, reply);
  }
}

@Module({ controllers: [BaselineController] })
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    BaselineModule,
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { logger: false },
  );
  await app.listen(Number(process.argv[3]), '127.0.0.1');
  console.log('nest baseline ready');
  // An orderly exit on SIGTERM, so that `node --cpu-prof` writes its profile too.
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
void main();
