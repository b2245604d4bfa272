import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse } from '@nestjs/swagger';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { FastifyRequest } from 'fastify';
import { clientRequestId } from '../common/http-conventions';
import { Caller, callerWithOrigin, Permission, scopesFor } from './caller';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_PERMISSION = 'auth:permission';

/** Served without a token ($metadata, the service document). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The delegated permission a route needs (routes without one need `write`: fail closed), also
 * written into the OpenAPI document: the bearer scheme, the scopes, the 401, 403 and 429 answers.
 */
export const RequirePermission = (permission: Permission) =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ApiBearerAuth('bearer'),
    ApiExtension('x-permissions', { delegated: scopesFor(permission), application: [] }),
    ApiResponse({ status: 401, description: 'No valid bearer token', type: ODataErrorResponse }),
    ApiResponse({
      status: 403,
      description: `Needs the delegated permission ${scopesFor(permission).join(' or ')}`,
      type: ODataErrorResponse,
    }),
    ApiResponse({
      status: 429,
      description: 'Throttled: retry after Retry-After seconds',
      type: ODataErrorResponse,
    }),
  );

export interface AuthenticatedRequest extends FastifyRequest {
  caller?: Caller;
}

/** The verified caller of the request (set by the AuthenticationGuard). */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const caller = request.caller;
  if (!caller) throw new Error('No caller: the route is public or the guard did not run.');
  // The audit log records what changes, and where the request came from: a read needs no origin.
  if (request.method === 'GET' || request.method === 'HEAD') return caller;
  return callerWithOrigin(caller, {
    httpVerb: request.method,
    requestUrl: request.url,
    ipAddress: request.ip,
    activityId: clientRequestId(request),
  });
});
