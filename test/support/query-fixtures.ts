import { fullOperation } from './operation-factory';

export const TENANT_A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const TENANT_B = 'bbbbbbbb-0000-4000-8000-000000000002';

const STATUSES = ['running', 'succeeded', 'failed', 'Running'];
const NAMES = ['Alpha', 'beta', 'Gamma', 'delta'];
const LOG_LEVELS = ['none', 'summary', 'full'];

/** The i-th of a varied set of operations: every filterable property takes several values, nulls included. */
export function queryFixture(i: number): Record<string, unknown> {
  const isSuccess = [true, false, null][i % 3];
  return fullOperation({
    status: STATUSES[i % 4],
    name: `${NAMES[i % 4]} operation ${i}`,
    description: i % 3 === 0 ? 'Applies the BASELINE' : 'Rotates keys',
    target: {
      allTenants: i % 2 === 0,
      tenantIds: i % 5 === 0 ? [TENANT_A] : [TENANT_B, TENANT_A].slice(0, 1 + (i % 2)),
    },
    result: {
      ...(isSuccess === null ? {} : { isSuccess }),
      isComplete: i % 2 === 1,
      exception: i % 4 === 0 ? null : `error ${i}`,
      tenantExceptions:
        i % 4 === 0
          ? []
          : [{ tenantId: i % 2 ? TENANT_A : TENANT_B, exception: i % 3 ? 'Timeout' : 'Denied' }],
    },
    operationDefinition: {
      logLevel: LOG_LEVELS[i % 3],
      lambdaDefinitions: [{ id: `l${i}`, type: i % 5 }],
    },
    aggregationDefinition: { value: 'Sum' },
    ticket: `T-${i}`,
    ...(i % 2 === 0 ? { attempts: i } : {}),
  });
}
