/**
 * The operations bound to the model's entity types (OData CSDL 4.01 §12): the actions (`run`,
 * `cancel`, a directory's `refresh`) and the functions (`delta` on every set, `compareRuns`,
 * `rows`, a group's `members`), described once like the types themselves: the routes, `$metadata`
 * and OpenAPI derive from them.
 */

import {
  ComplexType,
  ENTITY_TYPES,
  EntityType,
  GRAPH_NAMESPACE,
  managedTenantOperation,
  managedTenantOperationCredentials,
  managedTenantOperationRow,
  managedTenantOperationRun,
  managedTenantOperationRunDifference,
  MANAGED_TENANTS_NAMESPACE,
  tenant,
  tenantGroup,
} from './model';

/**
 * A bound action (OData CSDL 4.01 §12): `POST {entity URL}/{name}`, or `/{namespace}.{name}`. Its
 * binding parameter is the entity; it returns the entity when it answers with one.
 */
export interface BoundAction {
  readonly namespace: string;
  readonly name: string;
  readonly binding: EntityType;
  /** Bound to `Collection(binding)` (the entity set) rather than to one entity. */
  readonly bindsCollection?: boolean;
  /** The parameters of its body besides the binding one. */
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly type: ComplexType }>;
  readonly returnsEntity: boolean;
  readonly description: string;
}

/** The actions of operations: run its statements in every target tenant, or stop. */
export const BOUND_ACTIONS: readonly BoundAction[] = [
  {
    namespace: GRAPH_NAMESPACE,
    name: 'run',
    binding: managedTenantOperation,
    returnsEntity: true,
    description:
      "Runs the operation's statements in each target tenant (again only in the tenants that failed, if it ran before).",
  },
  {
    namespace: GRAPH_NAMESPACE,
    name: 'cancel',
    binding: managedTenantOperation,
    returnsEntity: false,
    description: 'Stops a running operation: tenants not started are not started.',
  },
  {
    namespace: MANAGED_TENANTS_NAMESPACE,
    name: 'refresh',
    binding: tenant,
    bindsCollection: true,
    parameters: [{ name: 'credentials', type: managedTenantOperationCredentials }],
    returnsEntity: false,
    description:
      "Refreshes the partner's directory of customer tenants from its contracts (GET /v1.0/contracts), in the background. A refreshToken in credentials is kept (encrypted) for the refreshes that follow by themselves.",
  },
];

/**
 * A bound function (OData CSDL 4.01 §12): `GET {binding URL}/{name}`, or `/{namespace}.{name}`,
 * bound to a collection of its type (`delta`) or to one entity (`compareRuns`), with parameters
 * written in the URL (`compareRuns(baseRunNumber=1,runNumber=2)`) and returning a collection.
 */
export interface BoundFunction {
  readonly namespace: string;
  readonly name: string;
  readonly binding: EntityType;
  /** Bound to `Collection(binding)` rather than to one entity. */
  readonly bindsCollection: boolean;
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly type: 'Edm.Int32' }>;
  /** What the collection it returns holds: the binding type, or a complex type. */
  readonly returns: EntityType | ComplexType;
  readonly description: string;
}

/**
 * `delta` on every entity set and collection navigation (changes since a token, as Microsoft
 * Graph's delta functions), and `compareRuns` on an operation.
 */
export const BOUND_FUNCTIONS: readonly BoundFunction[] = [
  ...ENTITY_TYPES.map((entity) => ({
    namespace: GRAPH_NAMESPACE,
    name: 'delta',
    binding: entity,
    bindsCollection: true,
    parameters: [],
    returns: entity,
    description: `The ${entity.entitySetName} created, changed or deleted since the deltaLink's token (every current one without a token).`,
  })),
  {
    namespace: GRAPH_NAMESPACE,
    name: 'compareRuns',
    binding: managedTenantOperation,
    bindsCollection: false,
    parameters: [
      { name: 'baseRunNumber', type: 'Edm.Int32' },
      { name: 'runNumber', type: 'Edm.Int32' },
    ],
    returns: managedTenantOperationRunDifference,
    description:
      'What changed from one run to another, tenant by tenant and row by row (by default from the previous finished run to the latest).',
  },
  {
    namespace: GRAPH_NAMESPACE,
    name: 'rows',
    binding: managedTenantOperation,
    bindsCollection: false,
    parameters: [],
    returns: managedTenantOperationRow,
    description:
      "Every row of every tenant of the latest finished run, each with _TenantId, _TenantDisplayName and _RunNumber first (not capped by the aggregation's N); as JSON, CSV or NDJSON.",
  },
  {
    namespace: GRAPH_NAMESPACE,
    name: 'rows',
    binding: managedTenantOperationRun,
    bindsCollection: false,
    parameters: [],
    returns: managedTenantOperationRow,
    description:
      "Every row of every tenant of the run, each with _TenantId, _TenantDisplayName and _RunNumber first (not capped by the aggregation's N); as JSON, CSV or NDJSON.",
  },
  {
    namespace: MANAGED_TENANTS_NAMESPACE,
    name: 'members',
    binding: tenantGroup,
    bindsCollection: false,
    parameters: [],
    returns: tenant,
    description:
      'The customer tenants the group holds now: every tenant of the directory with allTenantsIncluded, else those named in tenantIds and those its membershipRule selects.',
  },
];
