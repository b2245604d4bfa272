import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { TooManyRequestsError } from '../common/errors';
import { AuthenticatedRequest } from './auth.decorators';
import { RouteMetadataReflector } from './route-metadata-reflector';

/**
 * @nestjs/throttler, counting per partner tenant so that one tenant cannot take the service from
 * the others (Graph throttles per app and per tenant): over THROTTLE_LIMIT requests in a
 * THROTTLE_WINDOW_SECONDS window, all routes and users of the tenant together, the answer is 429
 * TooManyRequests with Retry-After. The default budget is above what one client gets from the
 * service on the machines we measure (docs/operating.md, Throttling), so a well-behaved automation client is
 * never stopped by it. Public routes (no caller) are not counted. As on Graph, an answer within
 * the budget carries no X-RateLimit-* headers (`setHeaders: false`). The counters are the store's:
 * in this process, or in Redis for every instance (src/auth/throttle-store.ts).
 *
 * Registered after the authentication guard, which sets the caller it counts by. The guard reads
 * a route's throttling metadata (skip, limit, ttl and the like) on every request; it reads them
 * through a reflector that remembers them per route.
 */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
  ) {
    super(options, storage, new RouteMetadataReflector());
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  }

  protected override async getTracker(request: AuthenticatedRequest): Promise<string> {
    return request.caller!.tenantId;
  }

  /** One budget per tenant across routes: the key names the throttler and the tenant only. */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new TooManyRequestsError(Math.max(1, Math.ceil(timeToBlockExpire)));
  }
}
