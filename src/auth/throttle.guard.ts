import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { TooManyRequestsError } from '../common/errors';
import { AuthenticatedRequest } from './auth.decorators';
import { Caller } from './caller';
import { THROTTLE_STORE, ThrottleStore, WindowHit } from './throttle-store';

/**
 * Throttling per partner tenant, so that one tenant cannot take the service from the others (Graph
 * throttles per app and per tenant): over THROTTLE_LIMIT requests in a THROTTLE_WINDOW_SECONDS
 * window, all routes and users of the tenant together, the answer is 429 TooManyRequests with
 * Retry-After. The default budget is above what one client gets from the service on the machines
 * we measure (README, Throttling), so a well-behaved automation client is never stopped by it.
 * Public routes (no caller) are not counted. Graph says nothing about a budget until it is spent,
 * so an answer within it carries no X-RateLimit-* headers. With REDIS_URL the counters are shared
 * by every instance; without it, each instance counts its own requests.
 *
 * Our own guard rather than @nestjs/throttler's: that one reads five route decorators and awaits
 * seven promises on every request to support per-route limits and named throttlers, which this
 * API does not use; with the in-process store a request costs one synchronous counter lookup.
 */
@Injectable()
export class CallerThrottleGuard implements CanActivate {
  constructor(@Inject(THROTTLE_STORE) private readonly store: ThrottleStore) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    if (!caller) return true;
    const counted = this.count(caller);
    return counted ? counted.then(() => true) : true;
  }

  /** Counts a request of `caller`; throws 429 when its tenant is over budget. */
  count(caller: Caller): void | Promise<void> {
    const hit = this.store.hit(caller.tenantId);
    if (hit instanceof Promise) return hit.then(refuseOverLimit);
    refuseOverLimit(hit);
  }
}

function refuseOverLimit({ isOverLimit, secondsLeft }: WindowHit): void {
  if (isOverLimit) throw new TooManyRequestsError(secondsLeft);
}
