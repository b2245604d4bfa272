import {
  EntityType,
  holdsSecret,
  isComplexProperty,
  PropertyDefinition,
  qualifiedName,
} from '../../edm/model';
import { ValueSource, ValueType } from './checked-query';
import { InvalidQueryError } from './invalid-query.error';
import { PathSegment } from './syntax-tree';
import { propertyType } from './value-types';

/** What the checker knows of storage: where dynamic properties live. */
export interface QueryModel {
  readonly entity: EntityType;
  readonly dynamicColumn: string;
}

/** What a lambda body may name besides the entity's properties. */
export interface Scope {
  /** Lambda variables in scope: name → the item's property definition (collection flag cleared). */
  readonly variables: ReadonlyMap<string, PropertyDefinition>;
  /** Navigation lambda variables in scope: name → the entity type of the rows they range over. */
  readonly rows?: ReadonlyMap<string, EntityType>;
}

/** Where a property path's value is stored, its type, and what the path says for messages. */
export interface ResolvedValue {
  readonly source: ValueSource;
  readonly type: ValueType;
  readonly nullable: boolean;
  readonly path: string;
  readonly property?: PropertyDefinition;
}

/**
 * Resolves a property path to where its value is stored. The first segment is a lambda variable
 * or a property of the entity; further segments walk into complex types.
 */
export function resolveValue(
  model: QueryModel,
  path: readonly PathSegment[],
  scope: Scope,
  option: string,
  allowCollection = false,
  /** The navigation lambda variable the path starts after, for messages. */
  rowVariable?: string,
): ResolvedValue {
  const [first, ...rest] = path;
  const written = [...(rowVariable ? [rowVariable] : []), ...path.map((s) => s.name)].join('/');
  const rowEntity = scope.rows?.get(first.name);
  if (rowEntity) return resolveOnRow(model, first, rest, rowEntity, option, allowCollection);
  let property: PropertyDefinition | undefined;
  const jsonPath: string[] = [];
  const variable = scope.variables.get(first.name);
  if (variable) {
    property = variable;
  } else {
    property = model.entity.properties[first.name];
    const navigation = model.entity.navigationProperties[first.name];
    if (
      !property &&
      navigation &&
      !navigation.collection &&
      navigation.foreignKey &&
      rest.length > 0
    ) {
      return resolveRelated(
        model,
        first,
        rest,
        navigation.target(),
        navigation.foreignKey,
        option,
        written,
      );
    }
    if (!property && navigation) {
      throw new InvalidQueryError(
        option,
        `'${first.name}' is a navigation property: ${
          option === '$filter'
            ? `use ${first.name}/any(…) or ${first.name}/all(…)`
            : 'it has no value to use here'
        }`,
        first.position,
      );
    }
    if (!property) {
      if (model.entity.openType && rest.length === 0 && !first.name.startsWith('$')) {
        return {
          source: { kind: 'dynamic', column: model.dynamicColumn, name: first.name },
          type: 'untyped',
          nullable: true,
          path: written,
        };
      }
      throw new InvalidQueryError(
        option,
        `'${first.name}' is not a property of ${model.entity.name}`,
        first.position,
      );
    }
  }
  if (holdsSecret(property)) {
    throw new InvalidQueryError(
      option,
      `'${first.name}' cannot be used in ${option}`,
      first.position,
    );
  }
  // Required, computed and key properties always have a value; anything inside JSON may not.
  let nullable =
    Boolean(variable) ||
    !(property.required || property.computed || first.name === model.entity.key);
  for (const segment of rest) {
    if (!isComplexProperty(property) || property.collection) {
      throw new InvalidQueryError(
        option,
        `'${segment.name}' cannot follow '${written}': only complex values have sub-properties (collections need any or all)`,
        segment.position,
      );
    }
    const nested: PropertyDefinition | undefined = property.type.properties[segment.name];
    if (!nested) {
      throw new InvalidQueryError(
        option,
        `'${segment.name}' is not a property of ${qualifiedName(property.type)}`,
        segment.position,
      );
    }
    if (holdsSecret(nested)) {
      throw new InvalidQueryError(
        option,
        `'${written}' cannot be used in ${option}`,
        segment.position,
      );
    }
    property = nested;
    jsonPath.push(segment.name);
    nullable = true;
  }
  if (property.collection && !allowCollection) {
    throw new InvalidQueryError(
      option,
      `'${written}' is a collection: use any or all`,
      path[path.length - 1].position,
    );
  }
  if (isComplexProperty(property) && !property.collection) {
    throw new InvalidQueryError(
      option,
      `'${written}' is a complex value: name one of its properties, like ${written}/${Object.keys(property.type.properties)[0]}`,
      path[path.length - 1].position,
    );
  }
  const source: ValueSource = variable
    ? { kind: 'lambdaItem', variable: first.name, jsonPath }
    : { kind: 'column', column: first.name, jsonPath };
  return { source, type: propertyType(property), nullable, path: written, property };
}

/** `tenant/displayName`: a property of the entity a single-valued navigation leads to. */
function resolveRelated(
  model: QueryModel,
  navigation: PathSegment,
  path: readonly PathSegment[],
  target: EntityType,
  foreignKey: string,
  option: string,
  written: string,
): ResolvedValue {
  const inner = resolveValue(
    { ...model, entity: target },
    path,
    { variables: new Map() },
    option,
    false,
    navigation.name,
  );
  if (inner.source.kind !== 'column') {
    throw new InvalidQueryError(
      option,
      `'${written}' is not a declared property of ${target.name}`,
      path[0].position,
    );
  }
  return {
    ...inner,
    nullable: true,
    path: written,
    source: {
      kind: 'related',
      target,
      foreignKey,
      column: inner.source.column,
      jsonPath: inner.source.jsonPath,
    },
  };
}

/** `r/isSuccess` where `r` ranges over rows of a navigation's target: a column of that row. */
function resolveOnRow(
  model: QueryModel,
  variable: PathSegment,
  path: readonly PathSegment[],
  entity: EntityType,
  option: string,
  allowCollection: boolean,
): ResolvedValue {
  if (path.length === 0) {
    throw new InvalidQueryError(
      option,
      `'${variable.name}' is a ${entity.name}: name one of its properties, like ${variable.name}/${Object.keys(entity.properties)[1]}`,
      variable.position,
    );
  }
  const resolved = resolveValue(
    { ...model, entity },
    path,
    { variables: new Map() },
    option,
    allowCollection,
    variable.name,
  );
  const source = resolved.source;
  if (source.kind === 'lambdaItem' || source.kind === 'related') {
    throw new InvalidQueryError(
      option,
      `'${resolved.path}' cannot be used inside a lambda over ${entity.name}`,
      variable.position,
    );
  }
  return { ...resolved, source: { ...source, row: variable.name } };
}
