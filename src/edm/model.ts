/**
 * The entity data model of the service, described once.
 *
 * Everything else derives from this file: the request DTOs (class-validator), the TypeORM entity
 * schema, the response shape, the OpenAPI schemas, `$metadata` and the query whitelist. The
 * vocabulary it is written in (types, facets, the derived TypeScript types) is model-types.ts;
 * the complex and enum types its properties hold are model-structures.ts; the actions and
 * functions bound to its entity types are model-bound-operations.ts.
 * Sources: the seed page (property table and examples) and shared/docs/MODEL.md (complex types).
 */

import {
  declare,
  EntityType,
  NavigationProperty,
  PropertyDefinition,
  StoredPropertiesOf,
} from './model-types';

export * from './model-types';
export * from './model-structures';
export * from './model-lighthouse';
export * from './model-subscription';

import {
  ENTITY_NAMESPACE,
  GRAPH_NAMESPACE,
  httpRequest,
  httpResponse,
  LONG_TEXT,
  managedTenantOperationAggregateResult,
  managedTenantOperationCredentials,
  managedTenantOperationDefinition,
  managedTenantOperationRunStatus,
  managedTenantOperationRunTenantScope,
  managedTenantOperationRunTrigger,
  managedTenantOperationSchedule,
  managedTenantOperationTarget,
  SHORT_TEXT,
} from './model-structures';
import { auditEvent, tenant, tenantGroup } from './model-lighthouse';
import { subscription } from './model-subscription';

const operationProperties = declare({
  id: { type: 'Edm.String', maxLength: 36, guidFormat: true },
  result: {
    type: managedTenantOperationAggregateResult,
    required: true,
    createDefault: { value: { tenantExceptions: [], result: [] } },
  },
  target: { type: managedTenantOperationTarget, required: true },
  operationDefinition: { type: managedTenantOperationDefinition, required: true },
  aggregationDefinition: {
    type: managedTenantOperationDefinition,
    required: true,
    createDefault: { value: { value: '' } },
  },
  credentials: { type: managedTenantOperationCredentials, required: true },
  status: {
    type: 'Edm.String',
    maxLength: 128,
    required: true,
    searchable: true,
    createDefault: { value: 'created' },
  },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  partnerTenantId: { type: 'Edm.Guid', required: true, createDefault: 'callerTenant' },
  partnerUserId: { type: 'Edm.Guid', required: true, createDefault: 'callerUser' },
  name: { type: 'Edm.String', maxLength: SHORT_TEXT, required: true, searchable: true },
  description: {
    type: 'Edm.String',
    maxLength: 4_096,
    required: true,
    searchable: true,
    createDefault: { value: '' },
  },
  requestId: { type: 'Edm.Guid', required: true, createDefault: 'newGuid' },
  schedule: {
    type: managedTenantOperationSchedule,
    description:
      'When the operation runs by itself (an extension of the model): a recurrence, a time of day in its time zone, and what a slot does while a run still goes. Null: it runs when asked only.',
  },
});

export const managedTenantOperation: EntityType<ManagedTenantOperationProperties> = {
  kind: 'entity',
  namespace: ENTITY_NAMESPACE,
  name: 'managedTenantOperation',
  key: 'id',
  openType: true,
  entitySetName: 'managedTenantOperations',
  properties: operationProperties,
  navigationProperties: declare({
    results: {
      target: () => managedTenantOperationResult,
      collection: true,
      partner: 'managedTenantOperation',
      expandable: true,
    },
    httpRequests: {
      target: () => managedTenantOperationHttpRequest,
      collection: true,
      partner: 'managedTenantOperation',
      expandable: true,
    },
    runs: {
      target: () => managedTenantOperationRun,
      collection: true,
      partner: 'managedTenantOperation',
      expandable: true,
      containsTarget: true,
    },
  }),
};

/**
 * The link of a result or HTTP request to its operation: `managedTenantOperationId` holds the
 * operation's id (the drafts link them by that string only), and the rows go with their operation.
 */
function belongsToOperation(partner: 'results' | 'httpRequests' | 'runs'): NavigationProperty {
  return {
    target: () => managedTenantOperation,
    collection: false,
    partner,
    foreignKey: 'managedTenantOperationId',
    onDelete: 'cascade',
    expandable: false,
  };
}

/** Who recorded a row and for which operation and tenant: the first properties of both sets. */
const operationRecordProperties = {
  id: { type: 'Edm.String', maxLength: 36, guidFormat: true },
  partnerTenantId: { type: 'Edm.Guid', required: true },
  partnerUserId: { type: 'Edm.Guid', required: true },
  targetTenantId: { type: 'Edm.Guid', required: true },
  managedTenantOperationId: { type: 'Edm.String', maxLength: 36, required: true },
  requestId: { type: 'Edm.Guid', required: true },
  runNumber: {
    type: 'Edm.Int32',
    description:
      "The run of the operation that wrote the row (1, 2, …, as the operation's runs number them).",
  },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
} as const satisfies Record<string, PropertyDefinition>;

/** One target tenant's outcome of an operation (MODEL.md, "The rest of the family"). */
const resultProperties = declare({
  ...operationRecordProperties,
  isSuccess: { type: 'Edm.Boolean' },
  exception: { type: 'Edm.String', maxLength: LONG_TEXT, searchable: true },
  executionInfo: { type: 'Edm.String', maxLength: LONG_TEXT, searchable: true },
  result: { type: 'Edm.String', collection: true, maxLength: LONG_TEXT },
});

export const managedTenantOperationResult: EntityType<ManagedTenantOperationResultProperties> = {
  kind: 'entity',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationResult',
  key: 'id',
  openType: true,
  entitySetName: 'managedTenantOperationResults',
  properties: resultProperties,
  navigationProperties: declare({
    managedTenantOperation: belongsToOperation('results'),
    tenant: {
      target: () => tenant,
      collection: false,
      foreignKey: 'targetTenantId',
      loose: true,
      expandable: true,
    },
  }),
};

/** One HTTP call made for one tenant of an operation (MODEL.md, "The rest of the family"). */
const httpRequestProperties = declare({
  ...operationRecordProperties,
  attempt: { type: 'Edm.Int32' },
  statusCode: { type: 'Edm.Int32' },
  request: { type: httpRequest },
  response: { type: httpResponse },
});

export const managedTenantOperationHttpRequest: EntityType<ManagedTenantOperationHttpRequestProperties> =
  {
    kind: 'entity',
    namespace: GRAPH_NAMESPACE,
    name: 'managedTenantOperationHttpRequest',
    key: 'id',
    openType: true,
    entitySetName: 'managedTenantOperationHttpRequests',
    properties: httpRequestProperties,
    navigationProperties: declare({
      managedTenantOperation: belongsToOperation('httpRequests'),
    }),
  };

/** A run's rows: those of its operation that name its run number. */
const RUN_ROWS = { managedTenantOperationId: 'managedTenantOperationId', runNumber: 'runNumber' };

/** One run of an operation, as its history keeps it (an extension of the model, documented). */
const runProperties = declare({
  // The container's key first: the table's primary key follows this order.
  partnerTenantId: { type: 'Edm.Guid', required: true },
  managedTenantOperationId: { type: 'Edm.String', maxLength: 36, required: true },
  runNumber: {
    type: 'Edm.Int32',
    description: 'The number of the run within its operation: 1, 2, …',
  },
  trigger: { type: managedTenantOperationRunTrigger, required: true },
  tenantScope: {
    type: managedTenantOperationRunTenantScope,
    required: true,
    description:
      'allTargets: every target tenant; notSucceeded: the tenants that had not succeeded before.',
  },
  status: { type: managedTenantOperationRunStatus, required: true },
  scheduledDateTime: {
    type: 'Edm.DateTimeOffset',
    description: 'The slot of the schedule the run was started for (scheduled runs only).',
  },
  startedDateTime: { type: 'Edm.DateTimeOffset' },
  finishedDateTime: { type: 'Edm.DateTimeOffset' },
  initiatedByUserId: { type: 'Edm.Guid' },
  initiatedByAppId: { type: 'Edm.String', maxLength: 36 },
  tenantCount: { type: 'Edm.Int32', required: true },
  succeededTenantCount: { type: 'Edm.Int32', required: true },
  failedTenantCount: { type: 'Edm.Int32', required: true },
  notRunTenantCount: {
    type: 'Edm.Int32',
    required: true,
    description: 'Tenants the run did not run: skipped, cancelled before they started, or pending.',
  },
  callCount: { type: 'Edm.Int32', required: true },
  executionInfo: { type: 'Edm.String', maxLength: LONG_TEXT, searchable: true },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
});

/**
 * The runs of an operation, newest first: contained in it (`…/{id}/runs/{runNumber}`), written by
 * the engine, read-only to clients. `runs/{n}/results` and `runs/{n}/httpRequests` are the rows
 * the run wrote (their `runNumber`).
 */
export const managedTenantOperationRun: EntityType<ManagedTenantOperationRunProperties> = {
  kind: 'entity',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRun',
  key: 'runNumber',
  openType: false,
  entitySetName: 'managedTenantOperationRuns',
  containedBy: 'managedTenantOperation',
  readOnly: true,
  properties: runProperties,
  navigationProperties: declare({
    managedTenantOperation: belongsToOperation('runs'),
    results: {
      target: () => managedTenantOperationResult,
      collection: true,
      expandable: false,
      matches: RUN_ROWS,
    },
    httpRequests: {
      target: () => managedTenantOperationHttpRequest,
      collection: true,
      expandable: false,
      matches: RUN_ROWS,
    },
  }),
};

/**
 * The properties that say whose a row is, the same on every entity type of the family: a caller
 * reads and writes only rows of its own tenant, records them as itself, and `requestId` is its
 * idempotency key within the tenant.
 */
export const OWNER_PROPERTIES = {
  tenant: 'partnerTenantId',
  user: 'partnerUserId',
  requestKey: 'requestId',
} as const;

/** The entity types of the service, each with its entity set, in the order $metadata lists them. */
export const ENTITY_TYPES: readonly EntityType[] = [
  managedTenantOperation,
  managedTenantOperationResult,
  managedTenantOperationHttpRequest,
  tenant,
  tenantGroup,
  auditEvent,
];

/** Entity types whose entities live in a navigation of another (`containedBy`), not in a set. */
export const CONTAINED_ENTITY_TYPES: readonly EntityType[] = [managedTenantOperationRun];

/** Every entity type with a table of its own: the sets' and the contained ones. */
export const STORED_ENTITY_TYPES: readonly EntityType[] = [
  ...ENTITY_TYPES,
  ...CONTAINED_ENTITY_TYPES,
];

/** Every entity set of the service, as `$metadata` and the service document list them. */
export const SERVED_ENTITY_TYPES: readonly EntityType[] = [...ENTITY_TYPES, subscription];

export type ManagedTenantOperationProperties = StoredPropertiesOf<typeof operationProperties>;
export type ManagedTenantOperationResultProperties = StoredPropertiesOf<typeof resultProperties>;
export type ManagedTenantOperationRunProperties = StoredPropertiesOf<typeof runProperties>;
export type ManagedTenantOperationHttpRequestProperties = StoredPropertiesOf<
  typeof httpRequestProperties
>;
