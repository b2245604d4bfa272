import {
  ManagedTenantOperationHttpRequestProperties,
  ManagedTenantOperationProperties,
  ManagedTenantOperationResultProperties,
} from './model';

/**
 * The TypeScript types of entities derive from the model: these assignments compile only while
 * they do, and the @ts-expect-error lines only while the model refuses them. `npm run check`
 * type-checks this file (`tsc --noEmit`; Jest compiles it without types, as isolated modules).
 */
describe('types derived from the model', () => {
  it('types each stored property from its definition', () => {
    const operation: ManagedTenantOperationProperties = {
      status: 'running',
      partnerTenantId: '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d',
      operationDefinition: { logLevel: 'full', failOnFirstError: true, lambdaDefinitions: [] },
      result: { isComplete: false, tenantExceptions: [{ tenantId: 'x', exception: null }] },
      target: { allTenants: null, tenantIds: [] },
    };
    const result: ManagedTenantOperationResultProperties = { isSuccess: true, result: ['{}'] };
    const call: ManagedTenantOperationHttpRequestProperties = {
      attempt: 2,
      request: { method: 'GET', headers: [{ name: 'Accept', value: 'application/json' }] },
    };
    // @ts-expect-error logLevel is one of the enum's members
    const loud: ManagedTenantOperationProperties = { operationDefinition: { logLevel: 'loud' } };
    // @ts-expect-error isSuccess is a Boolean
    const yes: ManagedTenantOperationResultProperties = { isSuccess: 'yes' };
    // @ts-expect-error attempt is an Int32
    const first: ManagedTenantOperationHttpRequestProperties = { attempt: '1' };
    // @ts-expect-error the key and computed properties are not stored properties
    const computed: ManagedTenantOperationProperties = { createdDateTime: '2026-01-01T00:00:00Z' };
    // @ts-expect-error a required property is never null
    const unnamed: ManagedTenantOperationProperties = { name: null };
    expect([operation, result, call, loud, yes, first, computed, unnamed]).toHaveLength(8);
  });
});
