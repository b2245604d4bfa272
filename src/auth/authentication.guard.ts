import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators';
import { Permission, scopesFor } from './caller';
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, permission } = this.requirementOf(context);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    try {
      request.caller = await this.verifier.verify(request.headers.authorization);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        request.log.warn(
          { context: 'Auth' },
          `401 for ${request.method} ${request.url.split('?')[0]}: ${error.reason}`,
        );
      }
      throw error;
    }
    const granted = scopesFor(permission).some((scope) => request.caller!.scopes.has(scope));
    if (!granted) {
      throw new ForbiddenError(
        request.caller.scopes.size === 0
          ? 'Insufficient privileges to complete the operation: application permissions are not supported; use a delegated token.'
          : `Insufficient privileges to complete the operation: it needs ${scopesFor(permission).join(' or ')}.`,
      );
    }
    return true;
  }

  private requirementOf(context: ExecutionContext): RouteRequirement {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let ofController = this.requirements.get(controller);
    if (!ofController) this.requirements.set(controller, (ofController = new WeakMap()));
    let requirement = ofController.get(handler);
    if (!requirement) {
      const targets = [handler, controller];
      requirement = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
        permission:
          this.reflector.getAllAndOverride<Permission>(REQUIRED_PERMISSION, targets) ?? 'write',
      };
      ofController.set(handler, requirement);
    }
    return requirement;
  }
}

interface RouteRequirement {
  readonly isPublic: boolean;
  readonly permission: Permission;
}
