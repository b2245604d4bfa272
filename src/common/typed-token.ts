import { FactoryProvider, InjectionToken, ValueProvider } from '@nestjs/common';

declare const PROVIDES: unique symbol;

/**
 * An injection token that says what it provides: a symbol that carries the type, so that a
 * provider registered under it must build that type (`provideBy`, `provideValue`) and whoever
 * reads it out of a module gets that type (`resolve`), with no cast and no `any`.
 */
export type TypedToken<T> = symbol & { readonly [PROVIDES]?: T };

export function typedToken<T>(name: string): TypedToken<T> {
  return Symbol(name) as TypedToken<T>;
}

/** A factory provider whose factory must return what the token provides. */
export function provideBy<T, Arguments extends unknown[]>(
  token: TypedToken<T>,
  inject: { readonly [K in keyof Arguments]: InjectionToken },
  useFactory: (...dependencies: Arguments) => T | Promise<T>,
): FactoryProvider<T> {
  return {
    provide: token,
    inject: [...(inject as readonly InjectionToken[])],
    useFactory: useFactory as (...dependencies: unknown[]) => T | Promise<T>,
  };
}

export function provideValue<T>(token: TypedToken<T>, value: T): ValueProvider<T> {
  return { provide: token, useValue: value };
}

/** The part of a Nest module or application that `resolve` reads. */
export interface ProviderLookup {
  get(token: symbol): unknown;
}

/** What a token provides, from a module or an application (tests, scripts, factories). */
export function resolve<T>(context: ProviderLookup, token: TypedToken<T>): T {
  return context.get(token) as T;
}
