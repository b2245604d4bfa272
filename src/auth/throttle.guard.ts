import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { TooManyRequestsError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { AuthenticatedRequest } from './auth.decorators';
import { Caller } from './caller';
import { FixedWindowCounter } from './fixed-window-counter';

/**
 * Throttling per partner tenant and user and per route (Graph throttles per app and tenant): over
 * THROTTLE_LIMIT requests in a THROTTLE_WINDOW_SECONDS window the answer is 429 TooManyRequests
 * with Retry-After. Public routes (no caller) are not counted. Graph says nothing about a budget
 * until it is spent, so an answer within it carries no X-RateLimit-* headers. The counters live in
 * this process: with several instances, each counts its own requests.
 *
 * Our own guard rather than @nestjs/throttler's: that one reads five route decorators and awaits
 * seven promises on every request to support per-route limits and named throttlers, which this
 * API does not use; a synchronous counter lookup is a fraction of the cost of a read by key.
 */
@Injectable()
export class CallerThrottleGuard implements CanActivate {
  private readonly counter: FixedWindowCounter;
  /** `Controller.handler` per route handler, computed once. */
  private readonly routeNames = new WeakMap<object, string>();

  constructor(config: AppConfigService) {
    const { limit, windowSeconds } = config.values.throttle;
    this.counter = new FixedWindowCounter(limit, windowSeconds * 1000);
  }

  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    if (caller) this.count(caller, context.getClass(), context.getHandler());
    return true;
  }

  /** Counts a request of `caller` to the route `handler` of `controller`; 429 when over budget. */
  count(caller: Caller, controller: { name: string }, handler: { name: string }): void {
    // The key's parts are a route name and GUIDs: bounded, and they cannot collide.
    const { isOverLimit, secondsLeft } = this.counter.hit(
      `${this.routeName(controller, handler)}:${caller.tenantId}:${caller.userId}`,
    );
    if (isOverLimit) throw new TooManyRequestsError(secondsLeft);
  }

  private routeName(controller: { name: string }, handler: { name: string }): string {
    let name = this.routeNames.get(handler);
    if (name === undefined) {
      name = `${controller.name}.${handler.name}`;
      this.routeNames.set(handler, name);
    }
    return name;
  }
}
