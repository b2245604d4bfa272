import { PATH_METADATA } from '@nestjs/common/constants';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { AuthenticationGuard } from '../auth/authentication.guard';
import { CallerThrottleGuard } from '../auth/throttle.guard';
import { entityKeyOf } from './dto/entity-key.pipe';
import { ManagedTenantOperationsController } from './managed-tenant-operations.controller';

/**
 * GET (and HEAD) of one operation by key, the most frequent request, is served without Nest's
 * router: Fastify calls the controller's `get` itself, after the same guards, with the arguments
 * its decorators name. Nest's per-request machinery (an execution context, a promise per guard,
 * parameter and pipe, the interceptor and response chain) cost about a fifth of the CPU of a read
 * by key, and made the difference between half the bare baseline's throughput and less (README,
 * Performance). Everything else the route has is unchanged: it is declared, documented (OpenAPI)
 * and written in the controller; errors still reach the ODataExceptionFilter (through Fastify's
 * error handler, which Nest routes to the global filters); Fastify's hooks run as before.
 *
 * Done in an `onRoute` hook, so Nest registers the route and only its handler is replaced; the app
 * refuses to start if the route is not found (renamed, say), rather than silently losing this.
 */
export function serveReadByKeyDirectly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const controller = app.get(ManagedTenantOperationsController);
  const authentication = app.get(AuthenticationGuard);
  const throttle = app.get(CallerThrottleGuard);
  const controllerClass = ManagedTenantOperationsController;
  const handler = ManagedTenantOperationsController.prototype.get;
  const url = `/${routePath(controllerClass)}/${routePath(handler)}`;
  const { isPublic, permission } = authentication.requirementOf(controllerClass, handler);
  if (handler.length !== 4) {
    throw new Error('The read by key passes get() four arguments; its parameters have changed.');
  }

  // What Nest would pass for `@CurrentCaller()`, `@Param('id', EntityKeyPipe)`, `@Req()`, `@Res()`.
  const readByKey = async (
    request: FastifyRequest<{ Params: { id: string } }> & AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    if (!isPublic) {
      // authenticate() sets request.caller as well.
      const authenticated = authentication.authenticate(request, permission);
      const caller = authenticated instanceof Promise ? await authenticated : authenticated;
      const counted = throttle.count(caller);
      if (counted) await counted;
    }
    const body = await controller.get(
      request.caller!,
      entityKeyOf(request.params.id),
      request,
      reply,
    );
    return reply.send(body);
  };

  const replaced = new Set<string>();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const method = String(route.method);
    if (route.url === url && (method === 'GET' || method === 'HEAD')) {
      route.handler = readByKey as RouteOptions['handler'];
      replaced.add(method);
    }
  });
  fastify.addHook('onReady', (done) => {
    done(
      replaced.size === 2
        ? undefined
        : new Error(`The read by key was not served directly: no GET and HEAD route ${url}.`),
    );
  });
}

/** The path a Nest @Controller() or route decorator gave, without slashes at either end. */
function routePath(target: object): string {
  const path = Reflect.getMetadata(PATH_METADATA, target) as string | undefined;
  if (path === undefined) throw new Error('No Nest route path on the read by key.');
  return path.replace(/^\/+|\/+$/g, '');
}
