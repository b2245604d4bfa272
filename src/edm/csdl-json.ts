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
import { ComplexType, EntityType, GRAPH_NAMESPACE, qualifiedName } from './model';
import { BoundAction, BoundFunction } from './model-bound-operations';

/** `$metadata` in OData CSDL JSON 4.01, from the description of csdl.ts. */

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
    ...(navigation.partner ? { $Partner: navigation.partner } : {}),
    ...(navigation.containsTarget ? { $ContainsTarget: true } : {}),
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
  const complexTypes = describedComplexTypes(entities);
  const complexJson = (types: ComplexType[]) =>
    Object.fromEntries(
      types.map((type) => [
        type.name,
        {
          $Kind: 'ComplexType',
          ...(type.openType ? { $OpenType: true } : {}),
          ...jsonStructure(describeStructure(type.properties)),
        },
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
      entitySetTypes(entities).map((entity) => [
        entity.entitySetName,
        {
          $Collection: true,
          $Type: qualifiedName(entity),
          ...(navigationBindings(entity).length > 0
            ? { $NavigationPropertyBinding: Object.fromEntries(navigationBindings(entity)) }
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
        ...Object.fromEntries(
          enumTypes(entities)
            .filter((type) => type.namespace === namespace)
            .map((type) => [
              type.name,
              {
                $Kind: 'EnumType',
                ...Object.fromEntries(type.members.map((member, index) => [member, index])),
              },
            ]),
        ),
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

function functionsJson(bound: readonly BoundFunction[]): Record<string, unknown[]> {
  const byName: Record<string, unknown[]> = {};
  for (const overload of bound) {
    (byName[overload.name] ??= []).push({
      $Kind: 'Function',
      $IsBound: true,
      $Parameter: [
        {
          $Name: 'bindingParameter',
          $Type: qualifiedName(overload.binding),
          ...(overload.bindsCollection ? { $Collection: true } : {}),
        },
        ...overload.parameters.map((parameter) => ({
          $Name: parameter.name,
          $Type: parameter.type,
          $Nullable: true,
        })),
      ],
      $ReturnType: { $Type: qualifiedName(overload.returns), $Collection: true },
      '@Core.Description': overload.description,
    });
  }
  return byName;
}

function actionJson(action: BoundAction): Record<string, unknown> {
  const binding = qualifiedName(action.binding);
  return {
    $Kind: 'Action',
    $IsBound: true,
    $Parameter: [
      {
        $Name: 'bindingParameter',
        $Type: binding,
        ...(action.bindsCollection ? { $Collection: true } : {}),
      },
      ...(action.parameters ?? []).map((parameter) => ({
        $Name: parameter.name,
        $Type: qualifiedName(parameter.type),
        $Nullable: true,
      })),
    ],
    ...(action.returnsEntity ? { $ReturnType: { $Type: binding } } : {}),
    '@Core.Description': action.description,
  };
}
