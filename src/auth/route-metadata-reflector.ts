import { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

type Target = Type<unknown> | ((...args: never[]) => unknown);

/**
 * Nest's Reflector, remembering what `getAllAndOverride` found for a route (its handler and its
 * controller): decorators write a route's metadata when its classes are defined, never while
 * requests are served, so the answer for a key, a handler and a controller is the same on every
 * request. A guard that asks for several keys on every request (the throttling guard asks for
 * six) then looks each up once per route, not once per request.
 */
export class RouteMetadataReflector extends Reflector {
  private readonly found = new WeakMap<object, WeakMap<object, Map<unknown, unknown>>>();

  override getAllAndOverride<TResult = unknown, TKey = unknown>(
    metadataKey: TKey,
    targets: Target[],
  ): TResult {
    const [handler, controller] = targets;
    if (targets.length !== 2 || !handler || !controller) {
      return super.getAllAndOverride<TResult, TKey>(metadataKey, targets);
    }
    let ofHandler = this.found.get(controller);
    if (!ofHandler) this.found.set(controller, (ofHandler = new WeakMap()));
    let byKey = ofHandler.get(handler);
    if (!byKey) ofHandler.set(handler, (byKey = new Map()));
    if (!byKey.has(metadataKey)) {
      byKey.set(metadataKey, super.getAllAndOverride<TResult, TKey>(metadataKey, targets));
    }
    return byKey.get(metadataKey) as TResult;
  }
}
