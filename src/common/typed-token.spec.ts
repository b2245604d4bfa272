import { Test } from '@nestjs/testing';
import type { EntityStore } from '../database/stores/entity.store';
import {
  managedTenantOperation,
  ManagedTenantOperationProperties,
  ManagedTenantOperationResultProperties,
} from '../edm/model';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { Clock, CLOCK } from '../jobs/clock';
import { ManualClock } from '../jobs/manual-clock';
import { provideBy, provideValue, resolve, typedToken } from './typed-token';

describe('typed injection tokens', () => {
  it('give back what was provided, typed by the token', async () => {
    const greeting = typedToken<{ readonly text: string }>('Greeting');
    const moduleRef = await Test.createTestingModule({
      providers: [
        provideValue(CLOCK, new ManualClock(1_000)),
        provideBy(greeting, [CLOCK], (clock: Clock) => ({ text: `at ${clock.now()}` })),
      ],
    }).compile();
    const text: string = resolve(moduleRef, greeting).text;
    expect(text).toBe('at 1000');
    expect(resolve(moduleRef, CLOCK).now()).toBe(1_000);
  });

  it('are one token per entity set, typed by its entity', () => {
    expect(entityStoreToken(managedTenantOperation)).toBe(entityStoreToken(managedTenantOperation));
    expect(entityStoreToken(managedTenantOperation).description).toBe(
      'EntityStore:managedTenantOperations',
    );
  });

  it('refuse, at compile time, a provider or a reader of another type', () => {
    const lookup = { get: () => undefined };
    // @ts-expect-error a clock token takes no string
    provideValue(CLOCK, 'not a clock');
    // @ts-expect-error nor a factory that makes one
    provideBy(CLOCK, [], () => 'not a clock');
    const reader = () => {
      // @ts-expect-error the operations' store is not the results' store
      const wrong: EntityStore<ManagedTenantOperationResultProperties> = resolve(
        lookup,
        entityStoreToken(managedTenantOperation),
      );
      const right: EntityStore<ManagedTenantOperationProperties> = resolve(
        lookup,
        entityStoreToken(managedTenantOperation),
      );
      return [wrong, right];
    };
    expect(typeof reader).toBe('function');
  });
});
