import { EntityType, hasNumericKey, PropertyDefinition } from '../../edm/model';
import { CheckedExpression, FunctionName, SelectedPath, SortKey, ValueType } from './checked-query';
import { InvalidQueryError } from './invalid-query.error';
import { Expression, OrderByItem, SelectItem } from './syntax-tree';
import { checkLiteral } from './literal-check';
import { QueryModel, resolveValue, Scope } from './path-resolution';

export type { QueryModel };
import { checkSelect } from './select-check';
import {
  coerceLiteral,
  comparable,
  FUNCTIONS,
  isNumeric,
  ORDERED_TYPES,
  typeName,
  typeOf,
} from './value-types';

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
      const { source, type, nullable, path } = resolveValue(
        this.model,
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
    const created = resolveValue(
      this.model,
      [{ name: 'createdDateTime', position: 0 }],
      { variables: new Map() },
      '$orderby',
    );
    return this.withKeyTieBreaker([{ ...created, direction: 'desc' }]);
  }

  checkSelect(items: readonly SelectItem[]): SelectedPath[] | undefined {
    return checkSelect(this.model.entity, items);
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
        type: hasNumericKey(this.model.entity) ? 'Edm.Int32' : 'Edm.String',
        nullable: false,
        path: key,
        direction: keys.find((k) => k.path === key)?.direction ?? direction,
      },
    ];
  }

  private check(expression: Expression, scope: Scope, option: string): CheckedExpression {
    switch (expression.kind) {
      case 'literal':
        return checkLiteral(this.model.entity, expression, option);
      case 'member': {
        const { source, type } = resolveValue(this.model, expression.path, scope, option);
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
    const foreignKey = navigation.partner
      ? target.navigationProperties[navigation.partner]?.foreignKey
      : undefined;
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
    const collection = resolveValue(this.model, expression.collection, scope, option, true);
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
