import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ServiceError } from './errors';

const BODY_ERROR = Symbol('bodyError');

interface RequestWithBodyError {
  [BODY_ERROR]?: ServiceError;
}

/**
 * Body parsers do not answer a body they cannot take (not JSON, nested too deep, a media type no
 * route reads): they note why and let the request go on, so that an anonymous caller hears 401
 * and a caller without the permission 403 before anything about its body. (A body over the size
 * limit is answered at once: it cannot be read to the end to wait for that.)
 */
export function deferBodyError(request: FastifyRequest, error: ServiceError): void {
  (request as RequestWithBodyError)[BODY_ERROR] = error;
}

/**
 * Throws the body error noted by a parser. A guard, registered after authentication and
 * throttling (src/auth/auth.module.ts), so that it runs once the caller is known; a guard rather
 * than an interceptor, which would put every route through an RxJS pipeline for a rare case.
 */
@Injectable()
export class DeferredBodyErrorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = context.switchToHttp().getRequest<RequestWithBodyError>()[BODY_ERROR];
    if (error) throw error;
    return true;
  }
}
