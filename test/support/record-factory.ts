import { randomUUID } from 'node:crypto';
import { TEST_TENANT, TEST_USER } from './test-app';

export const RESULTS = '/beta/managedTenantOperationResults';
export const HTTP_REQUESTS = '/beta/managedTenantOperationHttpRequests';

/** The two sets whose rows belong to an operation, with a valid body and a change of each. */
export const OPERATION_RECORD_SETS = [
  {
    name: 'managedTenantOperationResults',
    url: RESULTS,
    navigation: 'results',
    type: '#microsoft.graph.managedTenantOperationResult',
    body: (operationId: string, overrides: Record<string, unknown> = {}) =>
      newRecord(operationId, {
        isSuccess: false,
        exception: 'The tenant refused the request',
        executionInfo: '1 request',
        result: ['{"id":"1"}'],
        ...overrides,
      }),
    change: { isSuccess: true, exception: null },
    /** A filter that matches the body and not the change. */
    filter: 'isSuccess eq false',
    invalid: { isSuccess: 'yes' },
    invalidProperty: 'isSuccess',
  },
  {
    name: 'managedTenantOperationHttpRequests',
    url: HTTP_REQUESTS,
    navigation: 'httpRequests',
    type: '#microsoft.graph.managedTenantOperationHttpRequest',
    body: (operationId: string, overrides: Record<string, unknown> = {}) =>
      newRecord(operationId, {
        attempt: 1,
        statusCode: 429,
        request: { method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' },
        response: { status: 429, headers: [{ name: 'Retry-After', value: '2' }] },
        ...overrides,
      }),
    change: { statusCode: 200, response: { status: 200 } },
    filter: 'statusCode eq 429',
    invalid: { attempt: 1.5 },
    invalidProperty: 'attempt',
  },
] as const;

/** A create body of a result or HTTP request of the test caller for an operation. */
export function newRecord(
  operationId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    partnerTenantId: TEST_TENANT,
    partnerUserId: TEST_USER,
    targetTenantId: randomUUID(),
    managedTenantOperationId: operationId,
    requestId: randomUUID(),
    ...overrides,
  };
}
