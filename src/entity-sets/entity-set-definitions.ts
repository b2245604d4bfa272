import { ApiQueryOptions } from '@nestjs/swagger';
import {
  EntityType,
  managedTenantOperation,
  managedTenantOperationHttpRequest,
  managedTenantOperationResult,
  managedTenantOperationRun,
  tenant,
  tenantGroup,
  auditEvent,
} from '../edm/model';
import {
  runnableExampleRequest,
  seedExampleRequest,
} from '../managed-tenant-operations/seed-example';

/**
 * What an entity set shows in Swagger UI besides what the model says: an example body and
 * example filters. Everything else about a set (validation, storage, queries, responses,
 * $metadata) derives from its entity type in src/edm/model.ts.
 */
export interface EntitySetDefinition extends QueryDefinition {
  /** Swagger UI's example create body, by name (none for a set clients do not create in). */
  readonly example?: {
    readonly name: string;
    readonly summary: string;
    readonly value: Record<string, unknown>;
  };
  /** More examples, shown after the first. */
  readonly moreExamples?: ReadonlyArray<NonNullable<EntitySetDefinition['example']>>;
}

/** What the query options of a type's collections show in Swagger UI. */
export interface QueryDefinition {
  readonly entity: EntityType;
  readonly filterExamples: NonNullable<ApiQueryOptions['examples']>;
}

const EXAMPLE_TENANT = seedExampleRequest.partnerTenantId;
const EXAMPLE_USER = seedExampleRequest.partnerUserId;
const EXAMPLE_OPERATION = '7b7246f6-46f6-7b72-f646-727bf646727b';
const EXAMPLE_TARGET = '2d9a4c71-8f3e-4b6a-9c5d-1e7f0a2b3c4d';

export const ENTITY_SET_DEFINITIONS: readonly EntitySetDefinition[] = [
  {
    entity: managedTenantOperation,
    example: {
      name: 'runnable',
      summary: 'List the users of every customer (runs against the Graph simulator)',
      value: runnableExampleRequest,
    },
    moreExamples: [
      { name: 'seed', summary: 'Every property of the API page', value: seedExampleRequest },
    ],
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      status: { value: "status eq 'running'", summary: 'by status' },
      complex: {
        value: "status eq 'running' and target/allTenants eq true",
        summary: 'complex path',
      },
      lambda: {
        value: 'target/tenantIds/any(t: t eq 5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d)',
        summary: 'lambda over a collection',
      },
      navigation: {
        value: 'results/any(r: r/isSuccess eq false)',
        summary: 'operations with a failed tenant',
      },
      dates: { value: 'createdDateTime ge 2026-01-01T00:00:00Z', summary: 'dates' },
      text: {
        value: "startswith(name,'Apply') or contains(description,'baseline')",
        summary: 'text',
      },
    },
  },
  {
    entity: managedTenantOperationResult,
    example: {
      name: 'result',
      summary: "One tenant's outcome (managedTenantOperationId must name an operation of yours)",
      value: {
        partnerTenantId: EXAMPLE_TENANT,
        partnerUserId: EXAMPLE_USER,
        targetTenantId: EXAMPLE_TARGET,
        managedTenantOperationId: EXAMPLE_OPERATION,
        requestId: '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
        isSuccess: true,
        executionInfo: '2 requests, 1 attempt each',
        result: ['{"id":"1","displayName":"Adele Vance"}'],
      },
    },
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      failed: { value: 'isSuccess eq false', summary: 'failed tenants' },
      operation: {
        value: `managedTenantOperationId eq '${EXAMPLE_OPERATION}'`,
        summary: 'of one operation',
      },
    },
  },
  {
    entity: managedTenantOperationHttpRequest,
    example: {
      name: 'httpRequest',
      summary: 'One Graph call (managedTenantOperationId must name an operation of yours)',
      value: {
        partnerTenantId: EXAMPLE_TENANT,
        partnerUserId: EXAMPLE_USER,
        targetTenantId: EXAMPLE_TARGET,
        managedTenantOperationId: EXAMPLE_OPERATION,
        requestId: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
        attempt: 1,
        statusCode: 200,
        request: { method: 'GET', url: 'https://graph.microsoft.com/v1.0/users?$top=5' },
        response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }] },
      },
    },
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      errors: { value: 'statusCode ge 400', summary: 'failed calls' },
      retries: { value: 'attempt gt 1', summary: 'retried calls' },
    },
  },
  {
    entity: tenant,
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      name: { value: "startswith(displayName,'Contoso')", summary: 'by name' },
      tag: { value: "tags/any(t: t eq 'gold')", summary: 'with a tag' },
      contract: { value: "contract/contractType eq 'ResellerPartner'", summary: 'by contract' },
      gone: {
        value: "tenantStatusInformation/delegatedPrivilegeStatus eq 'none'",
        summary: 'no longer in the contracts',
      },
    },
  },
  {
    entity: tenantGroup,
    example: {
      name: 'rule',
      summary: 'Gold customers that buy through the partner, and one more by name',
      value: {
        displayName: 'Gold resellers',
        tenantIds: [EXAMPLE_TARGET],
        membershipRule: "tags/any(t: t eq 'gold') and contract/contractType eq 'ResellerPartner'",
      },
    },
    moreExamples: [
      {
        name: 'all',
        summary: 'Every customer of the directory',
        value: { displayName: 'Everyone', allTenantsIncluded: true },
      },
    ],
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      name: { value: "startswith(displayName,'Gold')", summary: 'by name' },
      member: {
        value: `tenantIds/any(t: t eq ${EXAMPLE_TARGET})`,
        summary: 'naming a tenant',
      },
    },
  },
  {
    entity: auditEvent,
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      runs: { value: "activity eq 'managedTenantOperations.run'", summary: 'runs' },
      user: {
        value: `initiatedByUserId eq '${EXAMPLE_USER}'`,
        summary: 'by user',
      },
      since: { value: 'activityDateTime ge 2026-12-01T00:00:00Z', summary: 'since a date' },
    },
  },
];

/** The types contained in the sets' entities (read through their navigations only). */
export const CONTAINED_TYPE_DEFINITIONS: readonly QueryDefinition[] = [
  {
    entity: managedTenantOperationRun,
    filterExamples: {
      none: { value: '', summary: 'no filter' },
      failed: { value: "status eq 'failed'", summary: 'failed runs' },
      scheduled: { value: "trigger eq 'schedule'", summary: 'scheduled runs' },
      tenants: { value: 'failedTenantCount gt 0', summary: 'runs with a failed tenant' },
    },
  },
];

export function definitionOf(entity: EntityType): QueryDefinition {
  const definition = [...ENTITY_SET_DEFINITIONS, ...CONTAINED_TYPE_DEFINITIONS].find(
    (candidate) => candidate.entity === entity,
  );
  if (!definition) throw new Error(`The entity type ${entity.name} has no entity set definition.`);
  return definition;
}
