import {
  actionsOf,
  Annotation,
  AnnotationValue,
  containerAnnotations,
  describedComplexTypes,
  CONTAINER_NAME,
  describeNavigations,
  describeStructure,
  entitySetAnnotations,
  entitySetTypes,
  enumTypes,
  functionsOf,
  namespacesOf,
  navigationBindings,
  NavigationDescription,
  PropertyDescription,
  ServiceCapabilities,
  VOCABULARIES,
} from './csdl';
import { ComplexType, EntityType, EnumType, GRAPH_NAMESPACE, qualifiedName } from './model';
import { BoundAction, BoundFunction } from './model-bound-operations';

/** `$metadata` in OData CSDL XML 4.01, from the description of csdl.ts. */

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
    ...(navigation.partner ? [`Partner="${navigation.partner}"`] : []),
    ...(navigation.containsTarget ? ['ContainsTarget="true"'] : []),
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

function functionXml(bound: BoundFunction): string {
  const binding = qualifiedName(bound.binding);
  return [
    `    <Function Name="${bound.name}" IsBound="true">`,
    `      <Parameter Name="bindingParameter" Type="${bound.bindsCollection ? `Collection(${binding})` : binding}" Nullable="false"/>`,
    ...bound.parameters.map(
      (parameter) =>
        `      <Parameter Name="${parameter.name}" Type="${parameter.type}" Nullable="true"/>`,
    ),
    `      <ReturnType Type="Collection(${qualifiedName(bound.returns)})"/>`,
    `      <Annotation Term="Core.Description" String="${escapeXml(bound.description)}"/>`,
    '    </Function>',
  ].join('\n');
}

/** The overloads of each bound function name, in CSDL JSON (an array per name). */

function actionXml(action: BoundAction): string {
  const binding = qualifiedName(action.binding);
  return [
    `    <Action Name="${action.name}" IsBound="true">`,
    `      <Parameter Name="bindingParameter" Type="${action.bindsCollection ? `Collection(${binding})` : binding}" Nullable="false"/>`,
    ...(action.parameters ?? []).map(
      (parameter) =>
        `      <Parameter Name="${parameter.name}" Type="${qualifiedName(parameter.type)}"/>`,
    ),
    ...(action.returnsEntity ? [`      <ReturnType Type="${binding}"/>`] : []),
    `      <Annotation Term="Core.Description" String="${escapeXml(action.description)}"/>`,
    '    </Action>',
  ].join('\n');
}

export function buildCsdlXml(
  entities: readonly EntityType[],
  capabilities: ServiceCapabilities,
): string {
  const complexTypes = describedComplexTypes(entities);
  const complexXml = (type: ComplexType) =>
    [
      `    <ComplexType Name="${type.name}"${type.openType ? ' OpenType="true"' : ''}>`,
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
      ...navigationBindings(entity).map(
        ([name, target]) =>
          `        <NavigationPropertyBinding Path="${name}" Target="${target}"/>`,
      ),
      ...entitySetAnnotations(entity).map((annotation) => xmlAnnotation(annotation, '        ')),
      '      </EntitySet>',
    ].join('\n');
  const containerXml = [
    `    <EntityContainer Name="${CONTAINER_NAME}">`,
    ...entitySetTypes(entities).map(entitySetXml),
    ...containerAnnotations(capabilities).map((annotation) => xmlAnnotation(annotation, '      ')),
    '    </EntityContainer>',
  ].join('\n');

  const schemas = namespacesOf(entities).map((namespace) => [
    `  <Schema Namespace="${namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...enumTypes(entities)
      .filter((type) => type.namespace === namespace)
      .map(enumXml),
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
