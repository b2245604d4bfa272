import {
  BOUND_ACTIONS,
  BOUND_FUNCTIONS,
  BoundAction,
  BoundCollectionFunction,
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

/**
 * The service's metadata document (`$metadata`), in CSDL XML and CSDL JSON (OData CSDL 4.01),
 * generated from the model. Both are built from one intermediate description, `describeService`,
 * so the two representations say the same.
 */

const VOCABULARIES = [
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

type AnnotationValue =
  | { readonly bool: boolean }
  | { readonly int: number }
  | { readonly navigationPropertyPaths: readonly string[] }
  | { readonly enumMember: string }
  | { readonly record: Readonly<Record<string, AnnotationValue>> }
  | { readonly propertyPaths: readonly string[] }
  | { readonly strings: readonly string[] };

interface Annotation {
  readonly term: string;
  readonly value: AnnotationValue;
}

interface PropertyDescription {
  readonly name: string;
  readonly type: string;
  readonly collection: boolean;
  readonly nullable: boolean;
  readonly maxLength?: number;
  readonly annotations: readonly Annotation[];
}

function describeProperty(
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

function describeStructure(
  properties: Readonly<Record<string, PropertyDefinition>>,
  key?: string,
): PropertyDescription[] {
  return Object.entries(properties).map(([name, property]) =>
    describeProperty(name, property, name === key),
  );
}

function enumTypes(entities: readonly EntityType[]): EnumType[] {
  const found = new Map<string, EnumType>();
  for (const complex of reachableComplexTypes(entities)) {
    for (const property of Object.values(complex.properties)) {
      if (isEnumProperty(property)) found.set(qualifiedName(property.type), property.type);
    }
  }
  return [...found.values()];
}

function entitySetAnnotations(entity: EntityType): Annotation[] {
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
    { term: 'Capabilities.InsertRestrictions', value: { record: { Insertable: { bool: true } } } },
    {
      term: 'Capabilities.UpdateRestrictions',
      value: {
        record: {
          Updatable: { bool: true },
          // A flags enum: PATCH merges, PUT replaces (OData 4.01 Part 1 §11.4.3).
          UpdateMethod: { enumMember: 'Capabilities.HttpMethod/PATCH Capabilities.HttpMethod/PUT' },
        },
      },
    },
    { term: 'Capabilities.DeleteRestrictions', value: { record: { Deletable: { bool: true } } } },
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
function plainSetAnnotations(): Annotation[] {
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

function expandable(entity: EntityType): string[] {
  return Object.keys(entity.navigationProperties).filter(
    (name) => entity.navigationProperties[name].expandable,
  );
}

/** A navigation property (CSDL 4.01 §8), with its partner and referential constraint. */
interface NavigationDescription {
  readonly name: string;
  readonly type: string;
  readonly collection: boolean;
  readonly partner: string;
  readonly constraint?: { readonly property: string; readonly referencedProperty: string };
  readonly onDeleteCascade: boolean;
}

function describeNavigations(entity: EntityType): NavigationDescription[] {
  return Object.entries(entity.navigationProperties).map(([name, navigation]) => {
    const target = navigation.target();
    return {
      name,
      type: qualifiedName(target),
      collection: navigation.collection,
      partner: navigation.partner,
      constraint: navigation.foreignKey
        ? { property: navigation.foreignKey, referencedProperty: target.key }
        : undefined,
      onDeleteCascade: navigation.onDelete === 'cascade',
    };
  });
}

function containerAnnotations(capabilities: ServiceCapabilities): Annotation[] {
  return [
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

// ---- XML (OData CSDL XML 4.01)

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function xmlAnnotation(annotation: Annotation, indent: string): string {
  const { term, value } = annotation;
  if ('bool' in value) return `${indent}<Annotation Term="${term}" Bool="${value.bool}"/>`;
  if ('int' in value) return `${indent}<Annotation Term="${term}" Int="${value.int}"/>`;
  if ('enumMember' in value)
    return `${indent}<Annotation Term="${term}" EnumMember="${value.enumMember}"/>`;
  return [
    `${indent}<Annotation Term="${term}">`,
    xmlValue(value, `${indent}  `),
    `${indent}</Annotation>`,
  ].join('\n');
}

function xmlValue(value: AnnotationValue, indent: string): string {
  if ('bool' in value) return `${indent}<Bool>${value.bool}</Bool>`;
  if ('int' in value) return `${indent}<Int>${value.int}</Int>`;
  if ('navigationPropertyPaths' in value) {
    return [
      `${indent}<Collection>`,
      ...value.navigationPropertyPaths.map(
        (path) => `${indent}  <NavigationPropertyPath>${escapeXml(path)}</NavigationPropertyPath>`,
      ),
      `${indent}</Collection>`,
    ].join('\n');
  }
  if ('enumMember' in value) return `${indent}<EnumMember>${value.enumMember}</EnumMember>`;
  if ('strings' in value) {
    return [
      `${indent}<Collection>`,
      ...value.strings.map((text) => `${indent}  <String>${escapeXml(text)}</String>`),
      `${indent}</Collection>`,
    ].join('\n');
  }
  if ('propertyPaths' in value) {
    return [
      `${indent}<Collection>`,
      ...value.propertyPaths.map(
        (path) => `${indent}  <PropertyPath>${escapeXml(path)}</PropertyPath>`,
      ),
      `${indent}</Collection>`,
    ].join('\n');
  }
  const lines = [`${indent}<Record>`];
  for (const [property, nested] of Object.entries(value.record)) {
    if ('bool' in nested) {
      lines.push(`${indent}  <PropertyValue Property="${property}" Bool="${nested.bool}"/>`);
    } else if ('int' in nested) {
      lines.push(`${indent}  <PropertyValue Property="${property}" Int="${nested.int}"/>`);
    } else {
      lines.push(
        `${indent}  <PropertyValue Property="${property}">`,
        xmlValue(nested, `${indent}    `),
        `${indent}  </PropertyValue>`,
      );
    }
  }
  lines.push(`${indent}</Record>`);
  return lines.join('\n');
}

function xmlProperty(property: PropertyDescription, indent: string): string {
  const type = property.collection ? `Collection(${property.type})` : property.type;
  const attributes = [
    `Name="${property.name}"`,
    `Type="${type}"`,
    `Nullable="${property.nullable}"`,
  ];
  if (property.maxLength) attributes.push(`MaxLength="${property.maxLength}"`);
  if (property.annotations.length === 0) return `${indent}<Property ${attributes.join(' ')}/>`;
  return [
    `${indent}<Property ${attributes.join(' ')}>`,
    ...property.annotations.map((annotation) => xmlAnnotation(annotation, `${indent}  `)),
    `${indent}</Property>`,
  ].join('\n');
}

function xmlNavigation(navigation: NavigationDescription, indent: string): string {
  const type = navigation.collection ? `Collection(${navigation.type})` : navigation.type;
  const attributes = [
    `Name="${navigation.name}"`,
    `Type="${type}"`,
    ...(navigation.collection ? [] : ['Nullable="false"']),
    `Partner="${navigation.partner}"`,
  ];
  const children = [
    ...(navigation.onDeleteCascade ? [`${indent}  <OnDelete Action="Cascade"/>`] : []),
    ...(navigation.constraint
      ? [
          `${indent}  <ReferentialConstraint Property="${navigation.constraint.property}" ReferencedProperty="${navigation.constraint.referencedProperty}"/>`,
        ]
      : []),
  ];
  if (children.length === 0) return `${indent}<NavigationProperty ${attributes.join(' ')}/>`;
  return [
    `${indent}<NavigationProperty ${attributes.join(' ')}>`,
    ...children,
    `${indent}</NavigationProperty>`,
  ].join('\n');
}

/** The namespaces of the schemas: the Graph namespace (with the container) first. */
function namespacesOf(entities: readonly EntityType[]): string[] {
  return [...new Set([GRAPH_NAMESPACE, ...entities.map((entity) => entity.namespace)])];
}

/** The bound actions of a namespace whose binding type is served. */
function actionsOf(entities: readonly EntityType[], namespace: string): BoundAction[] {
  return BOUND_ACTIONS.filter(
    (action) => action.namespace === namespace && entities.includes(action.binding),
  );
}

/** The bound functions of a namespace whose binding type is served. */
function functionsOf(
  entities: readonly EntityType[],
  namespace: string,
): BoundCollectionFunction[] {
  return BOUND_FUNCTIONS.filter(
    (bound) => bound.namespace === namespace && entities.includes(bound.binding),
  );
}

function functionXml(bound: BoundCollectionFunction): string {
  const collection = `Collection(${qualifiedName(bound.binding)})`;
  return [
    `    <Function Name="${bound.name}" IsBound="true">`,
    `      <Parameter Name="bindingParameter" Type="${collection}" Nullable="false"/>`,
    `      <ReturnType Type="${collection}"/>`,
    `      <Annotation Term="Core.Description" String="${escapeXml(bound.description)}"/>`,
    '    </Function>',
  ].join('\n');
}

/** The overloads of each bound function name, in CSDL JSON (an array per name). */
function functionsJson(bound: readonly BoundCollectionFunction[]): Record<string, unknown[]> {
  const byName: Record<string, unknown[]> = {};
  for (const overload of bound) {
    const type = qualifiedName(overload.binding);
    (byName[overload.name] ??= []).push({
      $Kind: 'Function',
      $IsBound: true,
      $Parameter: [{ $Name: 'bindingParameter', $Type: type, $Collection: true }],
      $ReturnType: { $Type: type, $Collection: true },
      '@Core.Description': overload.description,
    });
  }
  return byName;
}

function actionXml(action: BoundAction): string {
  const binding = qualifiedName(action.binding);
  return [
    `    <Action Name="${action.name}" IsBound="true">`,
    `      <Parameter Name="bindingParameter" Type="${binding}" Nullable="false"/>`,
    ...(action.returnsEntity ? [`      <ReturnType Type="${binding}"/>`] : []),
    `      <Annotation Term="Core.Description" String="${escapeXml(action.description)}"/>`,
    '    </Action>',
  ].join('\n');
}

function actionJson(action: BoundAction): Record<string, unknown> {
  const binding = qualifiedName(action.binding);
  return {
    $Kind: 'Action',
    $IsBound: true,
    $Parameter: [{ $Name: 'bindingParameter', $Type: binding }],
    ...(action.returnsEntity ? { $ReturnType: { $Type: binding } } : {}),
    '@Core.Description': action.description,
  };
}

export function buildCsdlXml(
  entities: readonly EntityType[],
  capabilities: ServiceCapabilities,
): string {
  const complexTypes = reachableComplexTypes(entities);
  const complexXml = (type: ComplexType) =>
    [
      `    <ComplexType Name="${type.name}">`,
      ...describeStructure(type.properties).map((p) => xmlProperty(p, '      ')),
      '    </ComplexType>',
    ].join('\n');
  const enumXml = (type: EnumType) =>
    [
      `    <EnumType Name="${type.name}">`,
      ...type.members.map((member, index) => `      <Member Name="${member}" Value="${index}"/>`),
      '    </EnumType>',
    ].join('\n');
  const entityXml = (entity: EntityType) =>
    [
      `    <EntityType Name="${entity.name}" OpenType="${entity.openType}">`,
      `      <Key><PropertyRef Name="${entity.key}"/></Key>`,
      ...describeStructure(entity.properties, entity.key).map((p) => xmlProperty(p, '      ')),
      ...describeNavigations(entity).map((n) => xmlNavigation(n, '      ')),
      '    </EntityType>',
    ].join('\n');
  const entitySetXml = (entity: EntityType) =>
    [
      `      <EntitySet Name="${entity.entitySetName}" EntityType="${qualifiedName(entity)}">`,
      ...Object.entries(entity.navigationProperties).map(
        ([name, navigation]) =>
          `        <NavigationPropertyBinding Path="${name}" Target="${navigation.target().entitySetName}"/>`,
      ),
      ...entitySetAnnotations(entity).map((annotation) => xmlAnnotation(annotation, '        ')),
      '      </EntitySet>',
    ].join('\n');
  const containerXml = [
    `    <EntityContainer Name="${CONTAINER_NAME}">`,
    ...entities.map(entitySetXml),
    ...containerAnnotations(capabilities).map((annotation) => xmlAnnotation(annotation, '      ')),
    '    </EntityContainer>',
  ].join('\n');

  const schemas = namespacesOf(entities).map((namespace) => [
    `  <Schema Namespace="${namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...(namespace === GRAPH_NAMESPACE ? enumTypes(entities).map(enumXml) : []),
    ...complexTypes.filter((type) => type.namespace === namespace).map(complexXml),
    ...entities.filter((entity) => entity.namespace === namespace).map(entityXml),
    ...actionsOf(entities, namespace).map(actionXml),
    ...functionsOf(entities, namespace).map(functionXml),
    ...(namespace === GRAPH_NAMESPACE ? [containerXml] : []),
    '  </Schema>',
  ]);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    ...VOCABULARIES.map(
      (vocabulary) =>
        `  <edmx:Reference Uri="${vocabulary.uri}.xml">\n    <edmx:Include Namespace="${vocabulary.namespace}" Alias="${vocabulary.alias}"/>\n  </edmx:Reference>`,
    ),
    '  <edmx:DataServices>',
    ...schemas.map((lines) => lines.join('\n')),
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  ].join('\n');
}

// ---- JSON (OData CSDL JSON 4.01)

function jsonAnnotationValue(value: AnnotationValue): unknown {
  if ('bool' in value) return value.bool;
  if ('int' in value) return value.int;
  if ('navigationPropertyPaths' in value) return value.navigationPropertyPaths;
  // CSDL JSON §14.3.7: the member names, comma-separated for a flags value.
  if ('enumMember' in value)
    return value.enumMember
      .split(' ')
      .map((member) => member.split('/')[1])
      .join(',');
  if ('propertyPaths' in value) return value.propertyPaths;
  if ('strings' in value) return value.strings;
  return Object.fromEntries(
    Object.entries(value.record).map(([name, nested]) => [name, jsonAnnotationValue(nested)]),
  );
}

function jsonAnnotations(annotations: readonly Annotation[]): Record<string, unknown> {
  return Object.fromEntries(
    annotations.map((annotation) => [`@${annotation.term}`, jsonAnnotationValue(annotation.value)]),
  );
}

function jsonProperty(property: PropertyDescription): Record<string, unknown> {
  return {
    ...(property.type === 'Edm.String' ? {} : { $Type: property.type }),
    ...(property.collection ? { $Collection: true } : {}),
    ...(property.nullable ? { $Nullable: true } : {}),
    ...(property.maxLength ? { $MaxLength: property.maxLength } : {}),
    ...jsonAnnotations(property.annotations),
  };
}

function jsonStructure(properties: PropertyDescription[]): Record<string, unknown> {
  return Object.fromEntries(properties.map((property) => [property.name, jsonProperty(property)]));
}

function jsonNavigation(navigation: NavigationDescription): Record<string, unknown> {
  return {
    $Kind: 'NavigationProperty',
    $Type: navigation.type,
    ...(navigation.collection ? { $Collection: true } : {}),
    $Partner: navigation.partner,
    ...(navigation.onDeleteCascade ? { $OnDelete: 'Cascade' } : {}),
    ...(navigation.constraint
      ? {
          $ReferentialConstraint: {
            [navigation.constraint.property]: navigation.constraint.referencedProperty,
          },
        }
      : {}),
  };
}

export function buildCsdlJson(
  entities: readonly EntityType[],
  capabilities: ServiceCapabilities,
): Record<string, unknown> {
  const complexTypes = reachableComplexTypes(entities);
  const complexJson = (types: ComplexType[]) =>
    Object.fromEntries(
      types.map((type) => [
        type.name,
        { $Kind: 'ComplexType', ...jsonStructure(describeStructure(type.properties)) },
      ]),
    );
  const entityJson = (types: EntityType[]) =>
    Object.fromEntries(
      types.map((entity) => [
        entity.name,
        {
          $Kind: 'EntityType',
          $OpenType: entity.openType,
          $Key: [entity.key],
          ...jsonStructure(describeStructure(entity.properties, entity.key)),
          ...Object.fromEntries(
            describeNavigations(entity).map((navigation) => [
              navigation.name,
              jsonNavigation(navigation),
            ]),
          ),
        },
      ]),
    );
  const container = {
    $Kind: 'EntityContainer',
    ...Object.fromEntries(
      entities.map((entity) => [
        entity.entitySetName,
        {
          $Collection: true,
          $Type: qualifiedName(entity),
          ...(Object.keys(entity.navigationProperties).length > 0
            ? {
                $NavigationPropertyBinding: Object.fromEntries(
                  Object.entries(entity.navigationProperties).map(([name, navigation]) => [
                    name,
                    navigation.target().entitySetName,
                  ]),
                ),
              }
            : {}),
          ...jsonAnnotations(entitySetAnnotations(entity)),
        },
      ]),
    ),
    ...jsonAnnotations(containerAnnotations(capabilities)),
  };
  const schemas = Object.fromEntries(
    namespacesOf(entities).map((namespace) => [
      namespace,
      {
        ...(namespace === GRAPH_NAMESPACE
          ? Object.fromEntries(
              enumTypes(entities).map((type) => [
                type.name,
                {
                  $Kind: 'EnumType',
                  ...Object.fromEntries(type.members.map((member, index) => [member, index])),
                },
              ]),
            )
          : {}),
        ...complexJson(complexTypes.filter((type) => type.namespace === namespace)),
        ...entityJson(entities.filter((entity) => entity.namespace === namespace)),
        ...Object.fromEntries(
          actionsOf(entities, namespace).map((action) => [action.name, [actionJson(action)]]),
        ),
        ...functionsJson(functionsOf(entities, namespace)),
        ...(namespace === GRAPH_NAMESPACE ? { [CONTAINER_NAME]: container } : {}),
      },
    ]),
  );
  return {
    $Version: '4.0',
    $EntityContainer: `${GRAPH_NAMESPACE}.${CONTAINER_NAME}`,
    $Reference: Object.fromEntries(
      VOCABULARIES.map((vocabulary) => [
        `${vocabulary.uri}.json`,
        { $Include: [{ $Namespace: vocabulary.namespace, $Alias: vocabulary.alias }] },
      ]),
    ),
    ...schemas,
  };
}
