import {
  ComplexType,
  EntityType,
  EnumType,
  GRAPH_NAMESPACE,
  holdsSecret,
  isComplexProperty,
  isEnumProperty,
  PropertyDefinition,
  qualifiedName,
  reachableComplexTypes,
} from './model';
import {
  BOUND_ACTIONS,
  BOUND_FUNCTIONS,
  BoundAction,
  BoundFunction,
} from './model-bound-operations';

/**
 * The service's metadata document (`$metadata`), in CSDL XML and CSDL JSON (OData CSDL 4.01),
 * generated from the model. Both are built from one intermediate description, `describeService`,
 * so the two representations say the same.
 */

export const VOCABULARIES = [
  {
    namespace: 'Org.OData.Core.V1',
    alias: 'Core',
    uri: 'https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1',
  },
  {
    namespace: 'Org.OData.Capabilities.V1',
    alias: 'Capabilities',
    uri: 'https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1',
  },
];

export const CONTAINER_NAME = 'GraphService';

/** What the service can do with its entity set, as Capabilities annotations will say it. */
export interface ServiceCapabilities {
  readonly batch: boolean;
}

export type AnnotationValue =
  | { readonly bool: boolean }
  | { readonly int: number }
  | { readonly navigationPropertyPaths: readonly string[] }
  | { readonly enumMember: string }
  | { readonly record: Readonly<Record<string, AnnotationValue>> }
  | { readonly propertyPaths: readonly string[] }
  | { readonly strings: readonly string[] };

export interface Annotation {
  readonly term: string;
  readonly value: AnnotationValue;
}

export interface PropertyDescription {
  readonly name: string;
  readonly type: string;
  readonly collection: boolean;
  readonly nullable: boolean;
  readonly maxLength?: number;
  readonly annotations: readonly Annotation[];
}

export function describeProperty(
  name: string,
  property: PropertyDefinition,
  key: boolean,
): PropertyDescription {
  const type =
    isComplexProperty(property) || isEnumProperty(property)
      ? qualifiedName(property.type)
      : property.type;
  const annotations: Annotation[] = [];
  if (property.computed) annotations.push({ term: 'Core.Computed', value: { bool: true } });
  if (property.readOnly) {
    annotations.push({ term: 'Core.Permissions', value: { enumMember: 'Core.Permission/Read' } });
  }
  if (property.secret) {
    // Write-only: accepted on create and update, never returned.
    annotations.push({ term: 'Core.Permissions', value: { enumMember: 'Core.Permission/Write' } });
  }
  return {
    name,
    type,
    collection: Boolean(property.collection),
    // Collections are never null (their items are not either); required, computed and key values always exist.
    nullable: !property.collection && !key && !property.required && !property.computed,
    maxLength: property.maxLength,
    annotations,
  };
}

export function describeStructure(
  properties: Readonly<Record<string, PropertyDefinition>>,
  key?: string,
): PropertyDescription[] {
  return Object.entries(properties).map(([name, property]) =>
    describeProperty(name, property, name === key),
  );
}

/**
 * The complex types `$metadata` describes: those the entity types' properties reach, and those
 * the bound functions return.
 */
export function describedComplexTypes(entities: readonly EntityType[]): ComplexType[] {
  const found = reachableComplexTypes(entities);
  for (const bound of BOUND_FUNCTIONS) {
    const returns = bound.returns;
    if (
      returns.kind === 'complex' &&
      entities.includes(bound.binding) &&
      !found.includes(returns)
    ) {
      found.push(returns);
    }
  }
  return found;
}

export function enumTypes(entities: readonly EntityType[]): EnumType[] {
  const found = new Map<string, EnumType>();
  for (const structure of [...entities, ...describedComplexTypes(entities)]) {
    for (const property of Object.values(structure.properties)) {
      if (isEnumProperty(property)) found.set(qualifiedName(property.type), property.type);
    }
  }
  return [...found.values()];
}

export function entitySetAnnotations(entity: EntityType): Annotation[] {
  if (entity.queryable === false) return plainSetAnnotations();
  const secretHolders = Object.entries(entity.properties)
    .filter(([, property]) => holdsSecret(property))
    .map(([name]) => name);
  return [
    {
      term: 'Capabilities.FilterRestrictions',
      value: {
        record: {
          Filterable: { bool: true },
          NonFilterableProperties: { propertyPaths: secretHolders },
        },
      },
    },
    {
      term: 'Capabilities.SortRestrictions',
      value: {
        record: {
          Sortable: { bool: true },
          NonSortableProperties: { propertyPaths: secretHolders },
        },
      },
    },
    { term: 'Capabilities.SearchRestrictions', value: { record: { Searchable: { bool: true } } } },
    { term: 'Capabilities.TopSupported', value: { bool: true } },
    { term: 'Capabilities.SkipSupported', value: { bool: true } },
    { term: 'Capabilities.CountRestrictions', value: { record: { Countable: { bool: true } } } },
    { term: 'Capabilities.SelectSupport', value: { record: { Supported: { bool: true } } } },
    {
      term: 'Capabilities.InsertRestrictions',
      value: { record: { Insertable: { bool: !entity.updateOnly && !entity.readOnly } } },
    },
    {
      term: 'Capabilities.UpdateRestrictions',
      value: {
        record: {
          Updatable: { bool: !entity.readOnly },
          // A flags enum: PATCH merges, PUT replaces (OData 4.01 Part 1 §11.4.3).
          UpdateMethod: {
            enumMember: entity.updateOnly
              ? 'Capabilities.HttpMethod/PATCH'
              : 'Capabilities.HttpMethod/PATCH Capabilities.HttpMethod/PUT',
          },
        },
      },
    },
    {
      term: 'Capabilities.DeleteRestrictions',
      value: { record: { Deletable: { bool: !entity.updateOnly && !entity.readOnly } } },
    },
    {
      term: 'Capabilities.ExpandRestrictions',
      value: {
        record: {
          Expandable: { bool: expandable(entity).length > 0 },
          NonExpandableProperties: {
            navigationPropertyPaths: Object.keys(entity.navigationProperties).filter(
              (name) => !entity.navigationProperties[name].expandable,
            ),
          },
          MaxLevels: { int: 1 },
        },
      },
    },
    {
      // Delta queries (the bound function delta): every change, without filters or expands.
      term: 'Capabilities.ChangeTracking',
      value: {
        record: {
          Supported: { bool: true },
          FilterableProperties: { propertyPaths: [] },
          ExpandableProperties: { navigationPropertyPaths: [] },
        },
      },
    },
    { term: 'Core.OptimisticConcurrency', value: { propertyPaths: ['lastModifiedDateTime'] } },
  ];
}

/** A set that is only created, read, changed and deleted: no query option is served. */
export function plainSetAnnotations(): Annotation[] {
  const unsupported = (term: string, record: string): Annotation => ({
    term,
    value: { record: { [record]: { bool: false } } },
  });
  return [
    unsupported('Capabilities.FilterRestrictions', 'Filterable'),
    unsupported('Capabilities.SortRestrictions', 'Sortable'),
    unsupported('Capabilities.SearchRestrictions', 'Searchable'),
    { term: 'Capabilities.TopSupported', value: { bool: false } },
    { term: 'Capabilities.SkipSupported', value: { bool: false } },
    unsupported('Capabilities.CountRestrictions', 'Countable'),
    { term: 'Capabilities.InsertRestrictions', value: { record: { Insertable: { bool: true } } } },
    { term: 'Capabilities.UpdateRestrictions', value: { record: { Updatable: { bool: true } } } },
    { term: 'Capabilities.DeleteRestrictions', value: { record: { Deletable: { bool: true } } } },
  ];
}

export function expandable(entity: EntityType): string[] {
  return Object.keys(entity.navigationProperties).filter(
    (name) => entity.navigationProperties[name].expandable,
  );
}

/** A navigation property (CSDL 4.01 §8), with its partner and referential constraint. */
export interface NavigationDescription {
  readonly name: string;
  readonly type: string;
  readonly collection: boolean;
  readonly partner?: string;
  readonly containsTarget: boolean;
  readonly constraint?: { readonly property: string; readonly referencedProperty: string };
  readonly onDeleteCascade: boolean;
}

export function describeNavigations(entity: EntityType): NavigationDescription[] {
  return Object.entries(entity.navigationProperties).map(([name, navigation]) => {
    const target = navigation.target();
    return {
      name,
      type: qualifiedName(target),
      collection: navigation.collection,
      partner: navigation.partner,
      containsTarget: navigation.containsTarget === true,
      constraint: navigation.foreignKey
        ? { property: navigation.foreignKey, referencedProperty: target.key }
        : undefined,
      onDeleteCascade: navigation.onDelete === 'cascade',
    };
  });
}

export function containerAnnotations(capabilities: ServiceCapabilities): Annotation[] {
  return [
    // Every collection also answers as a CSV or NDJSON file (Accept, or $format=csv|ndjson).
    {
      term: 'Capabilities.SupportedFormats',
      value: {
        strings: [
          'application/json;odata.metadata=minimal;IEEE754Compatible=false;odata.streaming=true',
          'application/json;odata.metadata=full;IEEE754Compatible=false;odata.streaming=true',
          'application/json;odata.metadata=none;IEEE754Compatible=false;odata.streaming=true',
          'text/csv',
          'application/x-ndjson',
        ],
      },
    },
    { term: 'Capabilities.BatchSupported', value: { bool: capabilities.batch } },
    {
      term: 'Capabilities.BatchSupport',
      value: {
        record: {
          Supported: { bool: capabilities.batch },
          // Prefer: odata.continue-on-error, for multipart batches (JSON batches always continue,
          // as Microsoft Graph's do).
          ContinueOnErrorSupported: { bool: capabilities.batch },
          ReferencesInRequestBodiesSupported: { bool: false },
          ReferencesAcrossChangeSetsSupported: { bool: false },
          EtagReferencesSupported: { bool: false },
          SupportedFormats: { strings: ['application/json', 'multipart/mixed'] },
        },
      },
    },
  ];
}

/** The entity types that have an entity set in the container (contained ones have none). */
export function entitySetTypes(entities: readonly EntityType[]): EntityType[] {
  return entities.filter((entity) => entity.containedBy === undefined);
}

/** The navigation property bindings of an entity set: every navigation to another set. */
export function navigationBindings(entity: EntityType): Array<[string, string]> {
  return Object.entries(entity.navigationProperties)
    .filter(([, navigation]) => !navigation.containsTarget)
    .map(([name, navigation]) => [name, navigation.target().entitySetName]);
}

export function namespacesOf(entities: readonly EntityType[]): string[] {
  return [...new Set([GRAPH_NAMESPACE, ...entities.map((entity) => entity.namespace)])];
}

/** The bound actions of a namespace whose binding type is served. */
export function actionsOf(entities: readonly EntityType[], namespace: string): BoundAction[] {
  return BOUND_ACTIONS.filter(
    (action) => action.namespace === namespace && entities.includes(action.binding),
  );
}

/** The bound functions of a namespace whose binding type is served. */
export function functionsOf(entities: readonly EntityType[], namespace: string): BoundFunction[] {
  return BOUND_FUNCTIONS.filter(
    (bound) => bound.namespace === namespace && entities.includes(bound.binding),
  );
}
