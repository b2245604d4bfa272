import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators';
import { Caller, Permission, scopesFor } from './caller';
import { TokenVerifier } from './token-verifier';

/**
 * Every route needs a valid delegated bearer token unless marked @Public(). Registered globally,
 * so a new controller cannot forget it. 401 for no or a bad token (the reason goes to the log),
 * 403 for a token without the permission the route needs, and for app-only tokens, as Graph's
 * managedTenants API supports delegated permissions only.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  /** What a route requires, read from its decorators once rather than on every request. */
  private readonly requirements = new WeakMap<object, WeakMap<object, RouteRequirement>>();

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { isPublic, permission } = this.requirementOf(context.getClass(), context.getHandler());
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const caller = this.authenticate(request, permission);
    // Nest awaits a guard's answer only when it is a promise.
    return caller instanceof Promise ? caller.then(() => true) : true;
  }

  /**
   * Sets `request.caller` from the bearer token, or throws 401 or 403. Synchronous when the
   * verifier has seen the token before (a client's every request but the first).
   */
  authenticate(
    request: FastifyRequest & AuthenticatedRequest,
    permission: Permission,
  ): Caller | Promise<Caller> {
    const { authorization } = request.headers;
    const known = this.verifier.knownCaller(authorization);
    if (known) return this.admit(request, known, permission);
    return this.verifier.verify(authorization).then(
      (caller) => this.admit(request, caller, permission),
      (error: unknown) => {
        if (error instanceof AuthenticationError) {
          request.log.warn(
            { context: 'Auth' },
            `401 for ${request.method} ${request.url.split('?')[0]}: ${error.reason}`,
          );
        }
        throw error;
      },
    );
  }

  /** What the route `handler` of `controller` requires, read from their decorators once. */
  requirementOf(controller: object, handler: object): RouteRequirement {
    let ofController = this.requirements.get(controller);
    if (!ofController) this.requirements.set(controller, (ofController = new WeakMap()));
    let requirement = ofController.get(handler);
    if (!requirement) {
      const targets = [handler, controller] as Array<() => unknown>;
      requirement = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
        permission:
          this.reflector.getAllAndOverride<Permission>(REQUIRED_PERMISSION, targets) ?? 'write',
      };
      ofController.set(handler, requirement);
    }
    return requirement;
  }

  private admit(request: AuthenticatedRequest, caller: Caller, permission: Permission): Caller {
    request.caller = caller;
    if (!scopesFor(permission).some((scope) => caller.scopes.has(scope))) {
      throw new ForbiddenError(
        caller.scopes.size === 0
          ? 'Insufficient privileges to complete the operation: application permissions are not supported; use a delegated token.'
          : `Insufficient privileges to complete the operation: it needs ${scopesFor(permission).join(' or ')}.`,
      );
    }
    return caller;
  }
}

export interface RouteRequirement {
  readonly isPublic: boolean;
  readonly permission: Permission;
}
