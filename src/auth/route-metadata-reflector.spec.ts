import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteMetadataReflector } from './route-metadata-reflector';

@SetMetadata('limit', 10)
@SetMetadata('ttl', 60)
class Routes {
  @SetMetadata('limit', 2)
  limited(): void {}

  plain(): void {}
}

describe('RouteMetadataReflector', () => {
  const routes = Routes.prototype;
  const targetsOf = (handler: () => void) => [handler, Routes];

  it('answers as Nest’s Reflector does: the handler’s metadata over the controller’s', () => {
    const remembering = new RouteMetadataReflector();
    const nest = new Reflector();
    for (const handler of [routes.limited, routes.plain]) {
      for (const key of ['limit', 'ttl', 'missing']) {
        expect(remembering.getAllAndOverride(key, targetsOf(handler))).toBe(
          nest.getAllAndOverride(key, targetsOf(handler)),
        );
      }
    }
    expect(remembering.getAllAndOverride('limit', targetsOf(routes.limited))).toBe(2);
    expect(remembering.getAllAndOverride('limit', targetsOf(routes.plain))).toBe(10);
    expect(remembering.getAllAndOverride('missing', targetsOf(routes.plain))).toBeUndefined();
  });

  it('looks a route’s key up once, absent keys included', () => {
    const remembering = new RouteMetadataReflector();
    const lookups = jest.spyOn(Reflect, 'getMetadata');
    try {
      for (let request = 0; request < 5; request += 1) {
        remembering.getAllAndOverride('limit', targetsOf(routes.limited));
        remembering.getAllAndOverride('missing', targetsOf(routes.limited));
      }
      // Once per key: `limit` on the handler; `missing` on the handler, then on the controller.
      expect(lookups).toHaveBeenCalledTimes(3);
    } finally {
      lookups.mockRestore();
    }
  });

  it('asks Nest’s Reflector every time for targets that are not one route', () => {
    const remembering = new RouteMetadataReflector();
    const lookups = jest.spyOn(Reflect, 'getMetadata');
    try {
      remembering.getAllAndOverride('ttl', [Routes]);
      remembering.getAllAndOverride('ttl', [Routes]);
      expect(lookups).toHaveBeenCalledTimes(2);
      expect(remembering.getAllAndOverride('ttl', [Routes])).toBe(60);
    } finally {
      lookups.mockRestore();
    }
  });
});
