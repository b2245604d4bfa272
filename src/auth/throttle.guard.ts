import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { TooManyRequestsError } from '../common/errors';
import { AuthenticatedRequest } from './auth.decorators';

/**
 * Throttling per partner tenant and user (Graph throttles per app and tenant): over the configured
 * rate the answer is 429 TooManyRequests with Retry-After. Public routes are not counted.
 * The counters live in this process: with several instances, each counts its own requests.
 */
@Injectable()
export class CallerThrottleGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const caller = (request as AuthenticatedRequest).caller;
    return caller ? `${caller.tenantId}:${caller.userId}` : 'anonymous';
  }

  /**
   * The counter's key: the same parts as the library's (route, throttler, caller), joined rather
   * than hashed. They are GUIDs and names, so the key is bounded and cannot collide; hashing them
   * cost a SHA-256 per request.
   */
  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    return `${context.getClass().name}.${context.getHandler().name}:${name}:${tracker}`;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new TooManyRequestsError(Math.max(1, Math.ceil(detail.timeToBlockExpire)));
  }
}
