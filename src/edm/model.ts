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

export interface EnumType {
  readonly kind: 'enum';
  readonly namespace: string;
  readonly name: string;
  readonly members: readonly string[];
}

export interface ComplexType {
  readonly kind: 'complex';
  readonly namespace: string;
  readonly name: string;
  readonly properties: Readonly<Record<string, PropertyDefinition>>;
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
  /** Must be present (and not null) on create. */
  readonly required?: boolean;
  /** Matched by `$search` terms. */
  readonly searchable?: boolean;
  readonly description?: string;
}

export type ComplexPropertyDefinition = PropertyFacets & { readonly type: ComplexType };
export type EnumPropertyDefinition = PropertyFacets & { readonly type: EnumType };

export type PropertyDefinition =
  | (PropertyFacets & { readonly type: PrimitiveTypeName })
  | EnumPropertyDefinition
  | ComplexPropertyDefinition;

export interface EntityType {
  readonly kind: 'entity';
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly openType: boolean;
  readonly entitySetName: string;
  readonly properties: Readonly<Record<string, PropertyDefinition>>;
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
function declare(
  properties: Record<string, PropertyDefinition>,
): Readonly<Record<string, PropertyDefinition>> {
  return Object.freeze(Object.assign(Object.create(null) as object, properties));
}

// Maximum string lengths. Generous enough for real payloads (exception texts, serialized
// lambda configurations, access tokens), small enough that one row stays well under the 1 MiB body limit.
const SHORT_TEXT = 256;
const LONG_TEXT = 32_768;

export const logLevel: EnumType = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'logLevel',
  members: ['none', 'summary', 'full'],
};

export const tenantException: ComplexType = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'tenantException',
  properties: declare({
    tenantId: { type: 'Edm.Guid' },
    exception: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
};

export const managedTenantOperationAggregateResult: ComplexType = {
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
};

export const managedTenantOperationTarget: ComplexType = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationTarget',
  properties: declare({
    allTenants: { type: 'Edm.Boolean' },
    tenantIds: { type: 'Edm.Guid', collection: true },
  }),
};

export const lambdaDefinition: ComplexType = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'lambdaDefinition',
  properties: declare({
    id: { type: 'Edm.String', maxLength: SHORT_TEXT },
    type: { type: 'Edm.Int32' },
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    configuration: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
};

export const managedTenantOperationDefinition: ComplexType = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationDefinition',
  properties: declare({
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    logLevel: { type: logLevel },
    failOnFirstError: { type: 'Edm.Boolean' },
    lambdaDefinitions: { type: lambdaDefinition, collection: true },
  }),
};

export const managedTenantOperationCredentials: ComplexType = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationCredentials',
  properties: declare({
    dapAccessToken: { type: 'Edm.String', maxLength: 16_384, secret: true },
  }),
};

export const managedTenantOperation: EntityType = {
  kind: 'entity',
  namespace: ENTITY_NAMESPACE,
  name: 'managedTenantOperation',
  key: 'id',
  openType: true,
  entitySetName: 'managedTenantOperations',
  properties: declare({
    id: { type: 'Edm.String', maxLength: 36, guidFormat: true },
    result: { type: managedTenantOperationAggregateResult, required: true },
    target: { type: managedTenantOperationTarget, required: true },
    operationDefinition: { type: managedTenantOperationDefinition, required: true },
    aggregationDefinition: { type: managedTenantOperationDefinition, required: true },
    credentials: { type: managedTenantOperationCredentials, required: true },
    status: { type: 'Edm.String', maxLength: 128, required: true, searchable: true },
    createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
    partnerTenantId: { type: 'Edm.Guid', required: true },
    partnerUserId: { type: 'Edm.Guid', required: true },
    name: { type: 'Edm.String', maxLength: SHORT_TEXT, required: true, searchable: true },
    description: { type: 'Edm.String', maxLength: 4_096, required: true, searchable: true },
    requestId: { type: 'Edm.Guid', required: true },
  }),
};

/** Whether a property is, or holds, a secret: such a property can never be queried or selected. */
export function holdsSecret(property: PropertyDefinition): boolean {
  if (property.secret) return true;
  return isComplexProperty(property) && Object.values(property.type.properties).some(holdsSecret);
}

/** Every complex type reachable from the entity type, each once, in declaration order. */
export function reachableComplexTypes(entity: EntityType = managedTenantOperation): ComplexType[] {
  const found = new Map<string, ComplexType>();
  const visit = (properties: Readonly<Record<string, PropertyDefinition>>): void => {
    for (const property of Object.values(properties)) {
      if (isComplexProperty(property) && !found.has(qualifiedName(property.type))) {
        found.set(qualifiedName(property.type), property.type);
        visit(property.type.properties);
      }
    }
  };
  visit(entity.properties);
  return [...found.values()];
}
