import { randomUUID } from 'node:crypto';
import { seedExampleRequest } from '../../src/managed-tenant-operations/seed-example';
import { TEST_TENANT, TEST_USER } from './test-app';

/**
 * A valid create body of the test caller (TEST_TENANT, TEST_USER): the seed's example with a fresh
 * requestId, plus any overrides.
 */
export function newOperation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...seedExampleRequest,
    partnerTenantId: TEST_TENANT,
    partnerUserId: TEST_USER,
    requestId: randomUUID(),
    ...overrides,
  };
}

/** A create body with every complex property filled in. */
export function fullOperation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return newOperation({
    result: {
      '@odata.type': 'microsoft.graph.managedTenantOperationAggregateResult',
      createdDateTime: '2026-01-31T12:00:00Z',
      lastModifiedDateTime: '2026-01-31T13:30:00.250+01:00',
      isSuccess: false,
      exception: 'Two tenants failed',
      executionInfo: 'batch 7',
      isComplete: true,
      tenantExceptions: [{ tenantId: randomUUID(), exception: 'Timeout' }],
      result: ['ok', 'failed'],
    },
    target: { allTenants: false, tenantIds: [randomUUID(), randomUUID()] },
    operationDefinition: {
      value: 'Set-Baseline',
      logLevel: 'full',
      failOnFirstError: true,
      lambdaDefinitions: [{ id: 'step-1', type: 2, value: 'x => x', configuration: '{}' }],
    },
    aggregationDefinition: { value: 'Sum', logLevel: 'summary', failOnFirstError: false },
    credentials: { dapAccessToken: `token-${randomUUID()}` },
    ...overrides,
  });
}
