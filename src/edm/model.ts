/**
 * The entity data model of the service, described once.
 *
 * Everything else derives from this file: the request DTOs (class-validator), the TypeORM entity
 * schema, the response shape, the OpenAPI schemas, and (later) `$metadata` and the query whitelist.
 * Sources: the seed page (property table and examples) and shared/docs/MODEL.md (complex types).
 */

export const GRAPH_NAMESPACE = 'microsoft.graph';
/** The seed's example names the entity type in this namespace (MODEL.md, "@odata.type as the seed shows it"). */
export const ENTITY_NAMESPACE = 'microsoft.management.services.api';

export type PrimitiveTypeName =
  'Edm.String' | 'Edm.Guid' | 'Edm.Boolean' | 'Edm.Int32' | 'Edm.DateTimeOffset';

export interface EnumType<Member extends string = string> {
  readonly kind: 'enum';
  readonly namespace: string;
  readonly name: string;
  readonly members: readonly Member[];
}

/** Declared properties by name. */
export type PropertyTable = Readonly<Record<string, PropertyDefinition>>;

/** `Properties`: the literal table, so that TypeScript types can derive from it (`ValueOf`). */
export interface ComplexType<Properties extends PropertyTable = PropertyTable> {
  readonly kind: 'complex';
  readonly namespace: string;
  readonly name: string;
  readonly properties: Properties;
}

interface PropertyFacets {
  /** A collection of the type rather than a single value. */
  readonly collection?: boolean;
  /** Maximum length in characters, for strings. */
  readonly maxLength?: number;
  /** An Edm.String whose values must nevertheless be GUIDs (the entity key). */
  readonly guidFormat?: boolean;
  /** Set by the service; ignored when a client sends it (Core.Computed). */
  readonly computed?: boolean;
  /** Accepted on writes, never returned, never queryable (Core.Permissions Write). */
  readonly secret?: boolean;
  /** Must be present (and not null) on create, unless `createDefault` fills it in. */
  readonly required?: boolean;
  /** What create (and a replace) fills in when the property is left out. */
  readonly createDefault?: CreateDefault;
  /** Matched by `$search` terms. */
  readonly searchable?: boolean;
  readonly description?: string;
}

/**
 * A property's value when a create leaves it out: the caller's tenant or user id (from the
 * token), a new GUID (a replace keeps the current one), or a fixed value.
 */
export type CreateDefault = 'callerTenant' | 'callerUser' | 'newGuid' | { readonly value: unknown };

export type ComplexPropertyDefinition = PropertyFacets & { readonly type: ComplexType };
export type EnumPropertyDefinition = PropertyFacets & { readonly type: EnumType };

export type PropertyDefinition =
  | (PropertyFacets & { readonly type: PrimitiveTypeName })
  | EnumPropertyDefinition
  | ComplexPropertyDefinition;

/**
 * A navigation property (OData CSDL 4.01 §8). On the dependent side, `foreignKey` names the
 * property that holds the principal's key (the referential constraint); `onDelete: 'cascade'`
 * deletes the dependents with their principal. The target is a function because the two ends
 * refer to each other.
 */
export interface NavigationProperty {
  readonly target: () => EntityType;
  readonly collection: boolean;
  /** The navigation property of the target that leads back here. */
  readonly partner: string;
  /** On the dependent side: the property holding the principal's key. */
  readonly foreignKey?: string;
  readonly onDelete?: 'cascade';
  /** Whether `$expand` (and the navigation's own URLs) serve it; the reverse links do not. */
  readonly expandable: boolean;
}

export interface EntityType {
  readonly kind: 'entity';
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly openType: boolean;
  readonly entitySetName: string;
  readonly properties: Readonly<Record<string, PropertyDefinition>>;
  readonly navigationProperties: Readonly<Record<string, NavigationProperty>>;
  /**
   * Whether the set takes query options and delta (default): `false` for a set that is only
   * created, read, changed and deleted (subscriptions), as `$metadata` says.
   */
  readonly queryable?: boolean;
}

export function qualifiedName(type: EnumType | ComplexType | EntityType): string {
  return `${type.namespace}.${type.name}`;
}

export function isComplexProperty(
  property: PropertyDefinition,
): property is ComplexPropertyDefinition {
  return typeof property.type === 'object' && property.type.kind === 'complex';
}

export function isEnumProperty(property: PropertyDefinition): property is EnumPropertyDefinition {
  return typeof property.type === 'object' && property.type.kind === 'enum';
}

/**
 * A property table without a prototype, so that looking up a name taken from a request
 * (`__proto__`, `valueOf`, `constructor`) finds nothing rather than Object's members.
 */
function declare<const T extends Record<string, PropertyDefinition | NavigationProperty>>(
  properties: T,
): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null) as object, properties)) as Readonly<T>;
}

// Maximum string lengths. Generous enough for real payloads (exception texts, serialized
// lambda configurations, access tokens), small enough that one row stays well under the 1 MiB body limit.
const SHORT_TEXT = 256;
const LONG_TEXT = 32_768;

export const logLevel = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'logLevel',
  members: ['none', 'summary', 'full'],
} as const satisfies EnumType;

export const tenantException = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'tenantException',
  properties: declare({
    tenantId: { type: 'Edm.Guid' },
    exception: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationAggregateResult = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationAggregateResult',
  properties: declare({
    createdDateTime: { type: 'Edm.DateTimeOffset' },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset' },
    isSuccess: { type: 'Edm.Boolean' },
    exception: { type: 'Edm.String', maxLength: LONG_TEXT },
    executionInfo: { type: 'Edm.String', maxLength: LONG_TEXT },
    isComplete: { type: 'Edm.Boolean' },
    tenantExceptions: { type: tenantException, collection: true },
    result: { type: 'Edm.String', collection: true, maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationTarget = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationTarget',
  properties: declare({
    allTenants: { type: 'Edm.Boolean' },
    tenantIds: { type: 'Edm.Guid', collection: true },
  }),
} as const satisfies ComplexType;

export const lambdaDefinition = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'lambdaDefinition',
  properties: declare({
    id: { type: 'Edm.String', maxLength: SHORT_TEXT },
    type: { type: 'Edm.Int32' },
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    configuration: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationDefinition = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationDefinition',
  properties: declare({
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    logLevel: { type: logLevel },
    failOnFirstError: { type: 'Edm.Boolean' },
    lambdaDefinitions: { type: lambdaDefinition, collection: true },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationCredentials = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationCredentials',
  properties: declare({
    dapAccessToken: { type: 'Edm.String', maxLength: 16_384, secret: true },
  }),
} as const satisfies ComplexType;

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
});

export const managedTenantOperation: EntityType = {
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
  }),
};

/**
 * The link of a result or HTTP request to its operation: `managedTenantOperationId` holds the
 * operation's id (the drafts link them by that string only), and the rows go with their operation.
 */
function belongsToOperation(partner: 'results' | 'httpRequests'): NavigationProperty {
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

export const managedTenantOperationResult: EntityType = {
  kind: 'entity',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationResult',
  key: 'id',
  openType: true,
  entitySetName: 'managedTenantOperationResults',
  properties: resultProperties,
  navigationProperties: declare({
    managedTenantOperation: belongsToOperation('results'),
  }),
};

export const httpHeader = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpHeader',
  properties: declare({
    name: { type: 'Edm.String', maxLength: SHORT_TEXT },
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const httpRequest = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpRequest',
  properties: declare({
    method: { type: 'Edm.String', maxLength: 16 },
    url: { type: 'Edm.String', maxLength: 8_192 },
    body: { type: 'Edm.String', maxLength: LONG_TEXT },
    headers: { type: httpHeader, collection: true },
  }),
} as const satisfies ComplexType;

export const httpResponse = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpResponse',
  properties: declare({
    status: { type: 'Edm.Int32' },
    body: { type: 'Edm.String', maxLength: LONG_TEXT },
    headers: { type: httpHeader, collection: true },
  }),
} as const satisfies ComplexType;

/** One HTTP call made for one tenant of an operation (MODEL.md, "The rest of the family"). */
const httpRequestProperties = declare({
  ...operationRecordProperties,
  attempt: { type: 'Edm.Int32' },
  statusCode: { type: 'Edm.Int32' },
  request: { type: httpRequest },
  response: { type: httpResponse },
});

export const managedTenantOperationHttpRequest: EntityType = {
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
];

/**
 * Microsoft Graph's `subscription`: a webhook for changes of an entity set, an entity
 * or a navigation. It is not an entity set of the family (no partner tenant or requestId of its
 * own, nothing to query): `/beta/subscriptions` serves it (src/subscriptions), and the model
 * gives it its validation, its OpenAPI schemas and its response shape. `clientState` is written,
 * sent with each notification and never returned (a secret the receiver checks).
 */
const subscriptionProperties = declare({
  id: { type: 'Edm.String', maxLength: 36, computed: true },
  resource: { type: 'Edm.String', maxLength: 2_048, required: true },
  changeType: { type: 'Edm.String', maxLength: 64, required: true },
  notificationUrl: { type: 'Edm.String', maxLength: 2_048, required: true },
  lifecycleNotificationUrl: { type: 'Edm.String', maxLength: 2_048 },
  expirationDateTime: { type: 'Edm.DateTimeOffset', required: true },
  clientState: { type: 'Edm.String', maxLength: 128, secret: true },
  latestSupportedTlsVersion: { type: 'Edm.String', maxLength: 16 },
  creatorId: { type: 'Edm.String', maxLength: 36, computed: true },
  applicationId: { type: 'Edm.String', maxLength: 36, computed: true },
});

export const subscription: EntityType = {
  kind: 'entity',
  namespace: GRAPH_NAMESPACE,
  name: 'subscription',
  key: 'id',
  openType: false,
  entitySetName: 'subscriptions',
  properties: subscriptionProperties,
  navigationProperties: declare({}),
  queryable: false,
};

/** Every entity set of the service, as `$metadata` and the service document list them. */
export const SERVED_ENTITY_TYPES: readonly EntityType[] = [...ENTITY_TYPES, subscription];

export type SubscriptionProperties = StoredPropertiesOf<typeof subscriptionProperties>;

/**
 * A bound action (OData CSDL 4.01 §12): `POST {entity URL}/{name}`, or `/{namespace}.{name}`. Its
 * binding parameter is the entity; it returns the entity when it answers with one.
 */
export interface BoundAction {
  readonly namespace: string;
  readonly name: string;
  readonly binding: EntityType;
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
];

/**
 * A bound function on an entity set (OData CSDL 4.01 §12): `GET {collection URL}/{name}`, or
 * `/{namespace}.{name}`, returning a collection of the set's type.
 */
export interface BoundCollectionFunction {
  readonly namespace: string;
  readonly name: string;
  readonly binding: EntityType;
  readonly description: string;
}

/**
 * `delta` on every entity set and collection navigation: changes since a token, as
 * Microsoft Graph's delta functions.
 */
export const BOUND_FUNCTIONS: readonly BoundCollectionFunction[] = ENTITY_TYPES.map((entity) => ({
  namespace: GRAPH_NAMESPACE,
  name: 'delta',
  binding: entity,
  description: `The ${entity.entitySetName} created, changed or deleted since the deltaLink's token (every current one without a token).`,
}));

/** Whether a property is, or holds, a secret: such a property can never be queried or selected. */
export function holdsSecret(property: PropertyDefinition): boolean {
  if (property.secret) return true;
  return isComplexProperty(property) && Object.values(property.type.properties).some(holdsSecret);
}

/** Every complex type reachable from the entity types, each once, in declaration order. */
export function reachableComplexTypes(
  entities: EntityType | readonly EntityType[] = ENTITY_TYPES,
): ComplexType[] {
  const found = new Map<string, ComplexType>();
  const visit = (properties: Readonly<Record<string, PropertyDefinition>>): void => {
    for (const property of Object.values(properties)) {
      if (isComplexProperty(property) && !found.has(qualifiedName(property.type))) {
        found.set(qualifiedName(property.type), property.type);
        visit(property.type.properties);
      }
    }
  };
  const list: readonly EntityType[] = 'kind' in entities ? [entities] : entities;
  for (const entity of list) visit(entity.properties);
  return [...found.values()];
}

// ---- TypeScript types derived from the model

type ItemOf<Definition> = Definition extends { readonly type: ComplexType<infer Properties> }
  ? ComplexValueOf<Properties>
  : Definition extends { readonly type: EnumType<infer Member> }
    ? Member
    : Definition extends { readonly type: 'Edm.Boolean' }
      ? boolean
      : Definition extends { readonly type: 'Edm.Int32' }
        ? number
        : string;

/**
 * The value of a property as the service holds it: a collection is an array (never null), a
 * required property is never null, anything else may be null or absent.
 */
export type ValueOf<Definition> = Definition extends { readonly collection: true }
  ? ItemOf<Definition>[]
  : Definition extends { readonly required: true }
    ? ItemOf<Definition>
    : ItemOf<Definition> | null;

/** A complex value: each property may be left out. */
export type ComplexValueOf<Properties> = {
  readonly [Name in keyof Properties]?: ValueOf<Properties[Name]>;
};

/**
 * The stored properties of an entity type, as `Entity.properties` holds them: the declared ones
 * but the key and the computed ones, each typed from its definition.
 */
export type StoredPropertiesOf<Properties> = {
  readonly [
    Name in keyof Properties as Name extends 'id'
      ? never
      : Properties[Name] extends { readonly computed: true }
        ? never
        : Name
  ]?: ValueOf<Properties[Name]>;
};

export type ManagedTenantOperationProperties = StoredPropertiesOf<typeof operationProperties>;
export type ManagedTenantOperationResultProperties = StoredPropertiesOf<typeof resultProperties>;
export type ManagedTenantOperationHttpRequestProperties = StoredPropertiesOf<
  typeof httpRequestProperties
>;
