import { randomUUID } from 'node:crypto';
import { loadDevelopmentKey, mintDevelopmentToken } from '../src/auth/development-issuer';
import { AppConfig } from '../src/config/app-config';
import { Entity } from '../src/edm/entity';
import { ManagedTenantOperation } from '../src/managed-tenant-operations/managed-tenant-operation';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';

/** The benchmarks' caller: every synthetic operation belongs to it. */
export const BENCH_TENANT = seedExampleRequest.partnerTenantId;
export const BENCH_USER = seedExampleRequest.partnerUserId;
export const STATUSES = Array.from({ length: 10 }, (_, i) => `status-${i}`);

/** The i-th synthetic operation: one second apart from `start`, ten statuses in turn. */
export function syntheticOperation(i: number, start: number): ManagedTenantOperation {
  const at = new Date(start + i * 1000).toISOString();
  return {
    id: randomUUID(),
    createdDateTime: at,
    lastModifiedDateTime: at,
    properties: {
      result: { isSuccess: i % 3 === 0, isComplete: i % 2 === 0, tenantExceptions: [], result: [] },
      target: { allTenants: i % 2 === 0, tenantIds: [randomUUID()] },
      operationDefinition: {
        logLevel: (['none', 'summary', 'full'] as const)[i % 3],
        lambdaDefinitions: [],
      },
      aggregationDefinition: {},
      credentials: {},
      status: STATUSES[i % STATUSES.length],
      partnerTenantId: BENCH_TENANT,
      partnerUserId: BENCH_USER,
      name: `operation ${i}`,
      description: i % 7 === 0 ? 'applies the baseline' : 'rotates keys',
      requestId: randomUUID(),
    },
    dynamicProperties: {},
  };
}

/** The j-th synthetic result of an operation: one target tenant's outcome, a second apart. */
export function syntheticResult(operation: ManagedTenantOperation, j: number): Entity {
  const at = new Date(Date.parse(operation.createdDateTime) + j * 100).toISOString();
  return {
    id: randomUUID(),
    createdDateTime: at,
    lastModifiedDateTime: at,
    properties: {
      partnerTenantId: BENCH_TENANT,
      partnerUserId: BENCH_USER,
      targetTenantId: randomUUID(),
      managedTenantOperationId: operation.id,
      requestId: operation.properties.requestId,
      isSuccess: j % 4 !== 0,
      exception: j % 4 === 0 ? 'The tenant refused the request' : undefined,
      executionInfo: `1 request, attempt ${1 + (j % 2)}`,
      result: [`{"id":"${j}","displayName":"user ${j}"}`],
    },
    dynamicProperties: {},
  };
}

/** A development token of the benchmarks' caller, for the service configured by `config`. */
export async function benchToken(
  config: Pick<AppConfig, 'databasePath' | 'auth'>,
): Promise<string> {
  return mintDevelopmentToken(
    await loadDevelopmentKey(config),
    config.auth.issuer,
    config.auth.audience,
    {
      tenantId: BENCH_TENANT,
      userId: BENCH_USER,
      scopes: ['ManagedTenants.ReadWrite.All'],
      expiresIn: 3600,
    },
  );
}
