import { managedTenantOperationRunDifferenceType } from '../../edm/model';
import { isGuid } from '../../edm/primitive-formats';
import { parseFilter } from '../../odata/query/expression-parser';
import { InvalidQueryError } from '../../odata/query/invalid-query.error';
import { Expression } from '../../odata/query/syntax-tree';
import { RunDifference } from './run-differences';

const FILTERABLE = ['targetTenantId', 'changeType'] as const;
type Filterable = (typeof FILTERABLE)[number];

/**
 * `$filter` of `compareRuns`: `targetTenantId` and `changeType` compared with `eq`, `ne` or
 * `in`, joined by `and`, `or` and `not` (`changeType in ('added','removed') and targetTenantId
 * eq …`). The differences are worked out as the pages are read, so the filter is checked here
 * once and applied to each; anything else is a 400 pointing at it.
 */
export function parseDifferenceFilter(text: string): (difference: RunDifference) => boolean {
  return compile(parseFilter(text));
}

function compile(expression: Expression): (difference: RunDifference) => boolean {
  switch (expression.kind) {
    case 'logical': {
      const left = compile(expression.left);
      const right = compile(expression.right);
      return expression.operator === 'and'
        ? (d) => left(d) && right(d)
        : (d) => left(d) || right(d);
    }
    case 'not': {
      const operand = compile(expression.operand);
      return (d) => !operand(d);
    }
    case 'comparison': {
      if (expression.operator !== 'eq' && expression.operator !== 'ne') break;
      const property = propertyOf(expression.left);
      const value = valueOf(property, expression.right);
      return expression.operator === 'eq'
        ? (d) => d[property] === value
        : (d) => d[property] !== value;
    }
    case 'in': {
      const property = propertyOf(expression.operand);
      const values = new Set(expression.list.map((item) => valueOf(property, item)));
      return (d) => values.has(d[property]);
    }
    default:
      break;
  }
  throw unsupported(expression.position);
}

function propertyOf(expression: Expression): Filterable {
  if (expression.kind === 'member' && expression.path.length === 1) {
    const name = expression.path[0].name;
    if ((FILTERABLE as readonly string[]).includes(name)) return name as Filterable;
  }
  throw unsupported(expression.position);
}

function valueOf(property: Filterable, expression: Expression): string {
  if (expression.kind === 'literal') {
    const literal = expression.literal;
    if (property === 'targetTenantId') {
      const text = literal.type === 'guid' || literal.type === 'string' ? literal.value : '';
      if (isGuid(text)) return text.toLowerCase();
      throw new InvalidQueryError(
        '$filter',
        'targetTenantId is compared with a GUID',
        expression.position,
      );
    }
    if (literal.type === 'string' || literal.type === 'typed') {
      const members: readonly string[] = managedTenantOperationRunDifferenceType.members;
      if (members.includes(literal.value)) return literal.value;
      throw new InvalidQueryError(
        '$filter',
        `'${literal.value}' is not a changeType (${members.join(', ')})`,
        expression.position,
      );
    }
  }
  throw unsupported(expression.position);
}

function unsupported(position: number): InvalidQueryError {
  return new InvalidQueryError(
    '$filter',
    `compareRuns filters on ${FILTERABLE.join(' and ')} only, with eq, ne, in, and, or and not`,
    position,
  );
}
