import {
  EntityType,
  holdsSecret,
  isComplexProperty,
  isEnumProperty,
  PropertyDefinition,
  qualifiedName,
} from '../../edm/model';
import { isGuid, parseDateTimeOffset, toUtcDateTimeOffset } from '../../edm/primitive-formats';
import {
  CheckedExpression,
  FunctionName,
  SelectedPath,
  SortKey,
  ValueSource,
  ValueType,
} from './checked-query';
import { InvalidQueryError } from './invalid-query.error';
import { Expression, OrderByItem, PathSegment, SelectItem } from './syntax-tree';

/** What the checker knows of storage: where dynamic properties live. */
export interface QueryModel {
  readonly entity: EntityType;
  readonly dynamicColumn: string;
}

interface Scope {
  /** Lambda variables in scope: name → the item's property definition (collection flag cleared). */
  readonly variables: ReadonlyMap<string, PropertyDefinition>;
  /** Navigation lambda variables in scope: name → the entity type of the rows they range over. */
  readonly rows?: ReadonlyMap<string, EntityType>;
}

interface FunctionSignature {
  readonly params: readonly ValueType[][];
  readonly optional?: number;
  readonly returns: ValueType;
}

const STRING: ValueType[] = ['Edm.String', 'untyped'];
const DATE_TIME: ValueType[] = ['Edm.DateTimeOffset', 'Edm.Date', 'untyped'];
const INTEGER: ValueType[] = ['Edm.Int32', 'untyped'];

// URL Conventions 4.01 §5.1.1.5 (string functions) and §5.1.1.8 (date and time functions).
const FUNCTIONS: Record<FunctionName, FunctionSignature> = {
  contains: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  startswith: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  endswith: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  tolower: { params: [STRING], returns: 'Edm.String' },
  toupper: { params: [STRING], returns: 'Edm.String' },
  trim: { params: [STRING], returns: 'Edm.String' },
  length: { params: [STRING], returns: 'Edm.Int32' },
  indexof: { params: [STRING, STRING], returns: 'Edm.Int32' },
  substring: { params: [STRING, INTEGER, INTEGER], optional: 1, returns: 'Edm.String' },
  concat: { params: [STRING, STRING], returns: 'Edm.String' },
  year: { params: [DATE_TIME], returns: 'Edm.Int32' },
  month: { params: [DATE_TIME], returns: 'Edm.Int32' },
  day: { params: [DATE_TIME], returns: 'Edm.Int32' },
  hour: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  minute: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  second: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  date: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Date' },
};

const ORDERED_TYPES = new Set<ValueType>([
  'Edm.String',
  'Edm.Guid',
  'Edm.Int32',
  'Edm.Double',
  'Edm.DateTimeOffset',
  'Edm.Date',
  'untyped',
]);

function typeName(type: ValueType): string {
  return typeof type === 'string' ? type : type.enum;
}

function isNumeric(type: ValueType): boolean {
  return type === 'Edm.Int32' || type === 'Edm.Double';
}

/** The value type of a (single-valued) property. */
function propertyType(property: PropertyDefinition): ValueType {
  if (isEnumProperty(property)) {
    return { enum: qualifiedName(property.type), members: property.type.members };
  }
  return property.type as ValueType;
}

/**
 * Checks parsed query options against the model (URL Conventions 4.01 §5.1): names resolve to
 * declared properties (dynamic ones at the top level of the open type), operand types agree,
 * secrets are out of reach. Every failure is an InvalidQueryError naming the problem.
 */
export class QueryChecker {
  constructor(private readonly model: QueryModel) {}

  get entity(): EntityType {
    return this.model.entity;
  }

  /** A checker of the same storage conventions for another entity type (a navigation's target). */
  forEntity(entity: EntityType): QueryChecker {
    return entity === this.model.entity ? this : new QueryChecker({ ...this.model, entity });
  }

  checkFilter(expression: Expression): CheckedExpression {
    return this.asCondition(
      this.check(expression, { variables: new Map() }, '$filter'),
      expression,
      '$filter',
    );
  }

  /** $orderby keys, followed by the key property so the order is total. */
  checkOrderBy(items: readonly OrderByItem[]): SortKey[] {
    const keys: SortKey[] = [];
    for (const item of items) {
      const expression = item.expression;
      if (expression.kind !== 'member') {
        throw new InvalidQueryError(
          '$orderby',
          'only property paths can be sorted by',
          expression.position,
        );
      }
      const { source, type, nullable, path } = this.resolveValue(
        expression.path,
        { variables: new Map() },
        '$orderby',
      );
      keys.push({ source, type, nullable, path, direction: item.direction });
    }
    return this.withKeyTieBreaker(keys);
  }

  /** The order when no $orderby is given: newest first (Graph's habit for this set). */
  defaultOrder(): SortKey[] {
    const created = this.resolveValue(
      [{ name: 'createdDateTime', position: 0 }],
      { variables: new Map() },
      '$orderby',
    );
    return this.withKeyTieBreaker([{ ...created, direction: 'desc' }]);
  }

  checkSelect(items: readonly SelectItem[]): SelectedPath[] | undefined {
    if (items.some((item) => item.path === '*')) return undefined;
    const selected: SelectedPath[] = [];
    for (const item of items) {
      const path = item.path as readonly PathSegment[];
      const [first, second, ...rest] = path;
      if (this.model.entity.navigationProperties[first.name] && !second) {
        // A navigation is part of a response when $expand names it; selecting it adds nothing.
        continue;
      }
      const property = this.model.entity.properties[first.name];
      if (property && holdsSecret(property)) {
        throw new InvalidQueryError(
          '$select',
          `'${first.name}' cannot be selected`,
          first.position,
        );
      }
      if (!property) {
        if (!this.model.entity.openType || second) {
          throw new InvalidQueryError(
            '$select',
            `'${first.name}' is not a property of ${this.model.entity.name}`,
            first.position,
          );
        }
        selected.push({ property: first.name });
        continue;
      }
      if (!second) {
        selected.push({ property: first.name });
        continue;
      }
      if (!isComplexProperty(property) || property.collection || rest.length > 0) {
        throw new InvalidQueryError(
          '$select',
          `'${path.map((s) => s.name).join('/')}' is not a selectable path`,
          second.position,
        );
      }
      const nested = property.type.properties[second.name];
      if (!nested || holdsSecret(nested)) {
        throw new InvalidQueryError(
          '$select',
          `'${second.name}' is not a property of ${qualifiedName(property.type)}`,
          second.position,
        );
      }
      selected.push({ property: first.name, subProperty: second.name });
    }
    return selected;
  }

  private withKeyTieBreaker(keys: SortKey[]): SortKey[] {
    const key = this.model.entity.key;
    const direction = keys.length > 0 ? keys[keys.length - 1].direction : 'asc';
    const withoutKey = keys.filter(
      (k) =>
        !(k.source.kind === 'column' && k.source.column === key && k.source.jsonPath.length === 0),
    );
    return [
      ...withoutKey,
      {
        source: { kind: 'column', column: key, jsonPath: [] },
        type: 'Edm.String',
        nullable: false,
        path: key,
        direction: keys.find((k) => k.path === key)?.direction ?? direction,
      },
    ];
  }

  private check(expression: Expression, scope: Scope, option: string): CheckedExpression {
    switch (expression.kind) {
      case 'literal':
        return this.checkLiteral(expression, option);
      case 'member': {
        const { source, type } = this.resolveValue(expression.path, scope, option);
        return { kind: 'value', source, type };
      }
      case 'lambda':
        return this.checkLambda(expression, scope, option);
      case 'call':
        return this.checkCall(expression, scope, option);
      case 'comparison': {
        const left = this.check(expression.left, scope, option);
        const right = this.check(expression.right, scope, option);
        return this.checkComparison(expression.operator, left, right, expression, option);
      }
      case 'logical':
        return {
          kind: 'logical',
          operator: expression.operator,
          left: this.asCondition(
            this.check(expression.left, scope, option),
            expression.left,
            option,
          ),
          right: this.asCondition(
            this.check(expression.right, scope, option),
            expression.right,
            option,
          ),
        };
      case 'not':
        return {
          kind: 'not',
          operand: this.asCondition(
            this.check(expression.operand, scope, option),
            expression.operand,
            option,
          ),
        };
      case 'arithmetic': {
        const left = this.check(expression.left, scope, option);
        const right = this.check(expression.right, scope, option);
        for (const [side, operand] of [
          [expression.left, left],
          [expression.right, right],
        ] as const) {
          const type = typeOf(operand);
          if (!isNumeric(type) && type !== 'untyped') {
            throw new InvalidQueryError(
              option,
              `${expression.operator} needs numbers, not ${typeName(type)}`,
              side.position,
            );
          }
        }
        const type: ValueType =
          typeOf(left) === 'Edm.Int32' &&
          typeOf(right) === 'Edm.Int32' &&
          expression.operator !== 'divby'
            ? 'Edm.Int32'
            : 'Edm.Double';
        return { kind: 'arithmetic', operator: expression.operator, type, left, right };
      }
      case 'negate': {
        const operand = this.check(expression.operand, scope, option);
        if (!isNumeric(typeOf(operand)) && typeOf(operand) !== 'untyped') {
          throw new InvalidQueryError(
            option,
            `'-' needs a number, not ${typeName(typeOf(operand))}`,
            expression.position,
          );
        }
        return { kind: 'negate', type: typeOf(operand), operand };
      }
      case 'in': {
        const operand = this.check(expression.operand, scope, option);
        const list = expression.list.map((item) => {
          const checked = this.checkComparison(
            'eq',
            operand,
            this.check(item, scope, option),
            item,
            option,
          );
          return (checked as { right: CheckedExpression & { kind: 'literal' } }).right;
        });
        return { kind: 'in', operand, list };
      }
    }
  }

  private checkLiteral(
    expression: Expression & { kind: 'literal' },
    option: string,
  ): CheckedExpression {
    const literal = expression.literal;
    switch (literal.type) {
      case 'null':
        return { kind: 'literal', type: 'null', value: null };
      case 'boolean':
        return { kind: 'literal', type: 'Edm.Boolean', value: literal.value };
      case 'string':
        return { kind: 'literal', type: 'Edm.String', value: literal.value };
      case 'guid':
        return { kind: 'literal', type: 'Edm.Guid', value: literal.value.toLowerCase() };
      case 'number':
        return {
          kind: 'literal',
          type:
            Number.isInteger(literal.value) && !/[.eE]/.test(literal.text)
              ? 'Edm.Int32'
              : 'Edm.Double',
          value: literal.value,
        };
      case 'date':
        if (!parseDateTimeOffset(`${literal.value}T00:00:00Z`)) {
          throw new InvalidQueryError(
            option,
            `${literal.value} is not a date`,
            expression.position,
          );
        }
        return { kind: 'literal', type: 'Edm.Date', value: literal.value };
      case 'dateTimeOffset': {
        const instant = parseDateTimeOffset(literal.value);
        if (!instant)
          throw new InvalidQueryError(
            option,
            `${literal.value} is not a valid DateTimeOffset`,
            expression.position,
          );
        return { kind: 'literal', type: 'Edm.DateTimeOffset', value: toUtcDateTimeOffset(instant) };
      }
      case 'typed': {
        const enumType = this.enumTypeNamed(literal.typeName);
        if (!enumType) {
          throw new InvalidQueryError(
            option,
            `literals of type ${literal.typeName} are not supported`,
            expression.position,
          );
        }
        if (!enumType.members.includes(literal.value)) {
          throw new InvalidQueryError(
            option,
            `'${literal.value}' is not a member of ${enumType.enum} (${enumType.members.join(', ')})`,
            expression.position,
          );
        }
        return { kind: 'literal', type: enumType, value: literal.value };
      }
    }
  }

  private enumTypeNamed(name: string): { enum: string; members: readonly string[] } | undefined {
    const visit = (
      properties: Readonly<Record<string, PropertyDefinition>>,
    ): { enum: string; members: readonly string[] } | undefined => {
      for (const property of Object.values(properties)) {
        if (isEnumProperty(property) && qualifiedName(property.type) === name)
          return propertyType(property) as { enum: string; members: readonly string[] };
        if (isComplexProperty(property)) {
          const found = visit(property.type.properties);
          if (found) return found;
        }
      }
      return undefined;
    };
    return visit(this.model.entity.properties);
  }

  /**
   * Resolves a property path to where its value is stored. The first segment is a lambda variable
   * or a property of the entity; further segments walk into complex types.
   */
  private resolveValue(
    path: readonly PathSegment[],
    scope: Scope,
    option: string,
    allowCollection = false,
    /** The navigation lambda variable the path starts after, for messages. */
    rowVariable?: string,
  ): {
    source: ValueSource;
    type: ValueType;
    nullable: boolean;
    path: string;
    property?: PropertyDefinition;
  } {
    const [first, ...rest] = path;
    const written = [...(rowVariable ? [rowVariable] : []), ...path.map((s) => s.name)].join('/');
    const rowEntity = scope.rows?.get(first.name);
    if (rowEntity) return this.resolveOnRow(first, rest, rowEntity, option, allowCollection);
    let property: PropertyDefinition | undefined;
    const jsonPath: string[] = [];
    const variable = scope.variables.get(first.name);
    if (variable) {
      property = variable;
    } else {
      property = this.model.entity.properties[first.name];
      if (!property && this.model.entity.navigationProperties[first.name]) {
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
        if (this.model.entity.openType && rest.length === 0 && !first.name.startsWith('$')) {
          return {
            source: { kind: 'dynamic', column: this.model.dynamicColumn, name: first.name },
            type: 'untyped',
            nullable: true,
            path: written,
          };
        }
        throw new InvalidQueryError(
          option,
          `'${first.name}' is not a property of ${this.model.entity.name}`,
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
      !(property.required || property.computed || first.name === this.model.entity.key);
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

  /** `r/isSuccess` where `r` ranges over rows of a navigation's target: a column of that row. */
  private resolveOnRow(
    variable: PathSegment,
    path: readonly PathSegment[],
    entity: EntityType,
    option: string,
    allowCollection: boolean,
  ): ReturnType<QueryChecker['resolveValue']> {
    if (path.length === 0) {
      throw new InvalidQueryError(
        option,
        `'${variable.name}' is a ${entity.name}: name one of its properties, like ${variable.name}/${Object.keys(entity.properties)[1]}`,
        variable.position,
      );
    }
    const resolved = this.forEntity(entity).resolveValue(
      path,
      { variables: new Map() },
      option,
      allowCollection,
      variable.name,
    );
    const source = resolved.source;
    if (source.kind === 'lambdaItem') throw new Error('A row path cannot start at a lambda item');
    return { ...resolved, source: { ...source, row: variable.name } };
  }

  /**
   * `navigation/any(v: …)` and `all`: the predicate is checked against the navigation's target,
   * its variable standing for one related row.
   */
  private checkNavigationLambda(
    expression: Expression & { kind: 'lambda' },
    scope: Scope,
    option: string,
  ): CheckedExpression | undefined {
    if (expression.collection.length !== 1) return undefined;
    const [segment] = expression.collection;
    if (scope.variables.has(segment.name) || scope.rows?.has(segment.name)) return undefined;
    const navigation = this.model.entity.navigationProperties[segment.name];
    if (!navigation) return undefined;
    const target = navigation.target();
    const foreignKey = target.navigationProperties[navigation.partner]?.foreignKey;
    if (!navigation.collection || !navigation.expandable || !foreignKey) {
      throw new InvalidQueryError(
        option,
        `'${segment.name}' cannot be used in ${option}`,
        segment.position,
      );
    }
    const base = {
      kind: 'navigationLambda' as const,
      operator: expression.operator,
      target,
      foreignKey,
      principalKey: this.model.entity.key,
    };
    if (!expression.variable || !expression.predicate) return { ...base, variable: '' };
    if (
      scope.variables.has(expression.variable) ||
      scope.rows?.has(expression.variable) ||
      this.model.entity.properties[expression.variable] ||
      this.model.entity.navigationProperties[expression.variable]
    ) {
      throw new InvalidQueryError(
        option,
        `the lambda variable '${expression.variable}' hides another name`,
        expression.position,
      );
    }
    const rows = new Map(scope.rows ?? []);
    rows.set(expression.variable, target);
    const predicate = this.asCondition(
      this.check(expression.predicate, { variables: scope.variables, rows }, option),
      expression.predicate,
      option,
    );
    return { ...base, variable: expression.variable, predicate };
  }

  private checkLambda(
    expression: Expression & { kind: 'lambda' },
    scope: Scope,
    option: string,
  ): CheckedExpression {
    const overNavigation = this.checkNavigationLambda(expression, scope, option);
    if (overNavigation) return overNavigation;
    const collection = this.resolveValue(expression.collection, scope, option, true);
    if (!collection.property?.collection) {
      throw new InvalidQueryError(
        option,
        `'${collection.path}' is not a collection, so ${expression.operator} cannot apply`,
        expression.position,
      );
    }
    if (!expression.variable || !expression.predicate) {
      return {
        kind: 'lambda',
        operator: expression.operator,
        collection: collection.source,
        variable: '',
      };
    }
    if (
      scope.variables.has(expression.variable) ||
      scope.rows?.has(expression.variable) ||
      this.model.entity.properties[expression.variable]
    ) {
      throw new InvalidQueryError(
        option,
        `the lambda variable '${expression.variable}' hides another name`,
        expression.position,
      );
    }
    const variables = new Map(scope.variables);
    variables.set(expression.variable, {
      ...collection.property,
      collection: false,
    } as PropertyDefinition);
    const predicate = this.asCondition(
      this.check(expression.predicate, { variables, rows: scope.rows }, option),
      expression.predicate,
      option,
    );
    return {
      kind: 'lambda',
      operator: expression.operator,
      collection: collection.source,
      variable: expression.variable,
      predicate,
    };
  }

  private checkCall(
    expression: Expression & { kind: 'call' },
    scope: Scope,
    option: string,
  ): CheckedExpression {
    const name = expression.name.toLowerCase();
    if (name === 'now') {
      if (expression.args.length > 0)
        throw new InvalidQueryError(option, 'now() takes no arguments', expression.position);
      return { kind: 'now' };
    }
    const signature = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name as FunctionName] : undefined;
    if (!signature) {
      throw new InvalidQueryError(
        option,
        `the function ${expression.name} is not supported`,
        expression.position,
      );
    }
    const min = signature.params.length - (signature.optional ?? 0);
    if (expression.args.length < min || expression.args.length > signature.params.length) {
      throw new InvalidQueryError(
        option,
        `${name} takes ${min === signature.params.length ? min : `${min} or ${signature.params.length}`} arguments`,
        expression.position,
      );
    }
    const args = expression.args.map((arg, index) => {
      const checked = this.check(arg, scope, option);
      const type = typeOf(checked);
      const accepted = signature.params[index];
      if (!accepted.includes(type) && type !== 'null') {
        throw new InvalidQueryError(
          option,
          `${name} does not take ${typeName(type)} as argument ${index + 1} (expected ${accepted
            .filter((t) => t !== 'untyped')
            .map(typeName)
            .join(' or ')})`,
          arg.position,
        );
      }
      return checked;
    });
    return { kind: 'function', name: name as FunctionName, type: signature.returns, args };
  }

  private checkComparison(
    operator: CheckedExpression & { kind: 'comparison' } extends { operator: infer O } ? O : never,
    left: CheckedExpression,
    right: CheckedExpression,
    at: Expression,
    option: string,
  ): CheckedExpression {
    const coercedRight = coerceLiteral(right, typeOf(left));
    const coercedLeft = coerceLiteral(left, typeOf(coercedRight));
    const leftType = typeOf(coercedLeft);
    const rightType = typeOf(coercedRight);
    if (leftType === 'null' || rightType === 'null') {
      if (operator !== 'eq' && operator !== 'ne') {
        throw new InvalidQueryError(
          option,
          `null can only be compared with eq or ne, not ${operator}`,
          at.position,
        );
      }
    } else if (!comparable(leftType, rightType)) {
      throw new InvalidQueryError(
        option,
        `cannot compare ${typeName(leftType)} with ${typeName(rightType)}`,
        at.position,
      );
    } else if (
      operator !== 'eq' &&
      operator !== 'ne' &&
      !ORDERED_TYPES.has(leftType) &&
      leftType !== 'untyped'
    ) {
      throw new InvalidQueryError(
        option,
        `${operator} is not defined for ${typeName(leftType)}`,
        at.position,
      );
    }
    for (const side of [coercedLeft, coercedRight]) {
      if (
        side.kind === 'literal' &&
        typeof side.type === 'object' &&
        !side.type.members.includes(String(side.value))
      ) {
        throw new InvalidQueryError(
          option,
          `'${side.value}' is not a member of ${side.type.enum} (${side.type.members.join(', ')})`,
          at.position,
        );
      }
    }
    return { kind: 'comparison', operator, left: coercedLeft, right: coercedRight };
  }

  private asCondition(
    checked: CheckedExpression,
    at: Expression,
    option: string,
  ): CheckedExpression {
    const type = typeOf(checked);
    if (type !== 'Edm.Boolean' && type !== 'untyped') {
      throw new InvalidQueryError(
        option,
        `a Boolean condition was expected, not ${typeName(type)}`,
        at.position,
      );
    }
    const isCondition =
      ['comparison', 'logical', 'not', 'in', 'lambda', 'navigationLambda', 'isTrue'].includes(
        checked.kind,
      ) ||
      (checked.kind === 'function' && type === 'Edm.Boolean');
    // A Boolean (or untyped) value used as a condition: true when it is true.
    return isCondition ? checked : { kind: 'isTrue', operand: checked };
  }
}

export function typeOf(expression: CheckedExpression): ValueType {
  switch (expression.kind) {
    case 'literal':
    case 'value':
    case 'function':
    case 'arithmetic':
    case 'negate':
      return expression.type;
    case 'now':
      return 'Edm.DateTimeOffset';
    default:
      return 'Edm.Boolean';
  }
}

/**
 * Literals whose OData type differs from the other side's but whose meaning is clear: a string
 * naming an enum member, a quoted GUID, a quoted date-time (Graph clients send both), an Int32
 * literal where a Double is compared.
 */
function coerceLiteral(expression: CheckedExpression, target: ValueType): CheckedExpression {
  if (expression.kind !== 'literal' || expression.type !== 'Edm.String') return expression;
  const text = expression.value as string;
  if (typeof target === 'object') return { ...expression, type: target };
  if (target === 'Edm.Guid' && isGuid(text))
    return { ...expression, type: 'Edm.Guid', value: text.toLowerCase() };
  if (target === 'Edm.DateTimeOffset') {
    const instant = parseDateTimeOffset(text);
    if (instant)
      return { ...expression, type: 'Edm.DateTimeOffset', value: toUtcDateTimeOffset(instant) };
  }
  return expression;
}

function comparable(left: ValueType, right: ValueType): boolean {
  if (left === 'untyped' || right === 'untyped') return true;
  if (isNumeric(left) && isNumeric(right)) return true;
  if (typeof left === 'object' || typeof right === 'object') {
    return typeof left === 'object' && typeof right === 'object' && left.enum === right.enum;
  }
  return left === right;
}
