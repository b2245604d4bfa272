import { InvalidQueryError } from './invalid-query.error';
import { Token, tokenize } from './lexer';
import { describe, TokenCursor } from './token-cursor';
import {
  ArithmeticOperator,
  ComparisonOperator,
  Expression,
  LiteralValue,
  OrderByItem,
  PathSegment,
  SelectItem,
} from './syntax-tree';

/** Limits that keep a hostile expression from costing much: documented in docs/querying.md. */
export const MAX_EXPRESSION_LENGTH = 4_096;
export const MAX_EXPRESSION_DEPTH = 32;
export const MAX_EXPRESSION_NODES = 256;

const ADDITIVE = new Set(['add', 'sub']);
const MULTIPLICATIVE = new Set(['mul', 'div', 'divby', 'mod']);

/**
 * A recursive-descent parser for OData expressions, after the ABNF (`boolCommonExpr`, `commonExpr`)
 * and the operator precedence of URL Conventions 4.01 §5.1.1.15, from lowest to highest:
 * or, and, eq/ne, gt/ge/lt/le/in, add/sub, mul/div/divby/mod, not and unary minus, then primary
 * expressions. Operators and literals like `true` and `null` are case-insensitive (4.01).
 */
class ExpressionParser extends TokenCursor {
  private depth = 0;
  private nodes = 0;

  parseWhole(): Expression {
    const expression = this.parseOr();
    this.expectEnd();
    return expression;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') this.fail(`unexpected ${describe(token)}`, token.position);
  }

  parseOr(): Expression {
    let left = this.parseAnd();
    while (this.acceptKeyword('or')) {
      left = this.node({
        kind: 'logical',
        operator: 'or',
        left,
        right: this.parseAnd(),
        position: left.position,
      });
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseEquality();
    while (this.acceptKeyword('and')) {
      left = this.node({
        kind: 'logical',
        operator: 'and',
        left,
        right: this.parseEquality(),
        position: left.position,
      });
    }
    return left;
  }

  private parseEquality(): Expression {
    let left = this.parseRelational();
    for (let op = this.acceptOneOf(['eq', 'ne']); op; op = this.acceptOneOf(['eq', 'ne'])) {
      left = this.node({
        kind: 'comparison',
        operator: op as ComparisonOperator,
        left,
        right: this.parseRelational(),
        position: left.position,
      });
    }
    return left;
  }

  private parseRelational(): Expression {
    let left = this.parseAdditive();
    for (;;) {
      const op = this.acceptOneOf(['gt', 'ge', 'lt', 'le', 'in']);
      if (!op) return left;
      left =
        op === 'in'
          ? this.node({
              kind: 'in',
              operand: left,
              list: this.parseInList(),
              position: left.position,
            })
          : this.node({
              kind: 'comparison',
              operator: op as ComparisonOperator,
              left,
              right: this.parseAdditive(),
              position: left.position,
            });
    }
  }

  private parseAdditive(): Expression {
    let left = this.parseMultiplicative();
    for (let op = this.acceptOneOf([...ADDITIVE]); op; op = this.acceptOneOf([...ADDITIVE])) {
      left = this.node({
        kind: 'arithmetic',
        operator: op as ArithmeticOperator,
        left,
        right: this.parseMultiplicative(),
        position: left.position,
      });
    }
    return left;
  }

  private parseMultiplicative(): Expression {
    let left = this.parseUnary();
    for (
      let op = this.acceptOneOf([...MULTIPLICATIVE]);
      op;
      op = this.acceptOneOf([...MULTIPLICATIVE])
    ) {
      left = this.node({
        kind: 'arithmetic',
        operator: op as ArithmeticOperator,
        left,
        right: this.parseUnary(),
        position: left.position,
      });
    }
    return left;
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (this.acceptKeyword('not')) {
      const operand = this.enter(() => this.parseUnary());
      return this.node({ kind: 'not', operand, position: token.position });
    }
    if (token.kind === 'punctuation' && token.text === '-') {
      this.index += 1;
      const operand = this.enter(() => this.parseUnary());
      return this.node({ kind: 'negate', operand, position: token.position });
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expression {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return this.literal({ type: 'string', value: token.value }, token.position);
      case 'typed':
        return this.literal(
          { type: 'typed', typeName: token.typeName, value: token.value },
          token.position,
        );
      case 'guid':
        return this.literal({ type: 'guid', value: token.text }, token.position);
      case 'dateTimeOffset':
        return this.literal({ type: 'dateTimeOffset', value: token.text }, token.position);
      case 'date':
        return this.literal({ type: 'date', value: token.text }, token.position);
      case 'number': {
        const value = Number(token.text);
        if (!Number.isFinite(value))
          this.fail(`the number ${token.text} is out of range`, token.position);
        return this.literal({ type: 'number', value, text: token.text }, token.position);
      }
      case 'punctuation':
        if (token.text === '(') {
          const inner = this.enter(() => this.parseOr());
          if (this.acceptPunctuation(',')) {
            this.fail('a parenthesized list is only allowed after the in operator', token.position);
          }
          this.expectPunctuation(')');
          return inner;
        }
        return this.fail(`unexpected ${describe(token)}`, token.position);
      case 'identifier':
        return this.parseIdentifierExpression(token);
      case 'end':
        return this.fail('an expression was expected', token.position);
    }
  }

  private parseIdentifierExpression(token: Token & { kind: 'identifier' }): Expression {
    const lower = token.text.toLowerCase();
    if (lower === 'null') return this.literal({ type: 'null' }, token.position);
    if (lower === 'true' || lower === 'false') {
      return this.literal({ type: 'boolean', value: lower === 'true' }, token.position);
    }
    if ((lower === 'any' || lower === 'all') && this.peekPunctuation('(')) {
      return this.fail(
        `${lower}() needs a collection path before it, like tenantIds/${lower}(...)`,
        this.peek().position,
      );
    }
    if (this.acceptPunctuation('(')) {
      return this.node({
        kind: 'call',
        name: token.text,
        args: this.parseArguments(),
        position: token.position,
      });
    }
    if (token.text.includes('.')) {
      return this.fail(
        `'${token.text}' is not a property; a function call needs parentheses`,
        this.peek().position,
      );
    }
    return this.parseMemberPath(token);
  }

  private parseArguments(): Expression[] {
    const args: Expression[] = [];
    if (this.acceptPunctuation(')')) return args;
    do {
      args.push(this.enter(() => this.parseOr()));
    } while (this.acceptPunctuation(','));
    this.expectPunctuation(')');
    return args;
  }

  private parseMemberPath(first: Token & { kind: 'identifier' }): Expression {
    const path: PathSegment[] = [{ name: first.text, position: first.position }];
    while (this.acceptPunctuation('/')) {
      const segment = this.next();
      if (segment.kind !== 'identifier' || segment.text.includes('.')) {
        return this.fail(
          `a property name was expected after '/', not ${describe(segment)}`,
          segment.position,
        );
      }
      const lower = segment.text.toLowerCase();
      if ((lower === 'any' || lower === 'all') && this.acceptPunctuation('(')) {
        return this.parseLambda(path, lower, segment.position);
      }
      path.push({ name: segment.text, position: segment.position });
    }
    if (this.peekPunctuation('(')) {
      return this.fail('only any and all can follow a path with parentheses', this.peek().position);
    }
    return this.node({ kind: 'member', path, position: first.position });
  }

  /** anyExpr = "any" OPEN BWS [ lambdaVariableExpr BWS COLON BWS lambdaPredicateExpr ] BWS CLOSE */
  private parseLambda(
    collection: PathSegment[],
    operator: 'any' | 'all',
    position: number,
  ): Expression {
    if (this.acceptPunctuation(')')) {
      if (operator === 'all')
        this.fail('all() needs a lambda expression, like all(x: x eq 1)', position);
      return this.node({ kind: 'lambda', operator, collection, position });
    }
    const variable = this.next();
    if (variable.kind !== 'identifier' || variable.text.includes('.')) {
      return this.fail(
        `a lambda variable name was expected, not ${describe(variable)}`,
        variable.position,
      );
    }
    this.expectPunctuation(':');
    const predicate = this.enter(() => this.parseOr());
    this.expectPunctuation(')');
    return this.node({
      kind: 'lambda',
      operator,
      collection,
      variable: variable.text,
      predicate,
      position,
    });
  }

  /** listExpr: the right side of `in`, a parenthesized list of primitive literals. */
  private parseInList(): Expression[] {
    this.expectPunctuation('(');
    const items: Expression[] = [];
    do {
      const item = this.parseUnary();
      if (item.kind !== 'literal')
        this.fail('the list of in can only contain literals', item.position);
      items.push(item);
    } while (this.acceptPunctuation(','));
    this.expectPunctuation(')');
    return items;
  }

  private literal(literal: LiteralValue, position: number): Expression {
    return this.node({ kind: 'literal', literal, position });
  }

  private node(expression: Expression): Expression {
    this.nodes += 1;
    if (this.nodes > MAX_EXPRESSION_NODES) {
      this.fail(`the expression has more than ${MAX_EXPRESSION_NODES} parts`, expression.position);
    }
    return expression;
  }

  /**
   * One level deeper: a parenthesized expression, a function's argument, a lambda's predicate, or
   * the operand of `not` or `-`. The expression itself is level 0, so `MAX_EXPRESSION_DEPTH`
   * nested parentheses are allowed and one more is refused.
   */
  private enter(parse: () => Expression): Expression {
    this.depth += 1;
    if (this.depth > MAX_EXPRESSION_DEPTH) {
      this.fail(
        `the expression is nested deeper than ${MAX_EXPRESSION_DEPTH} levels`,
        this.peek().position,
      );
    }
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }
}

function parserFor(text: string, option: string): ExpressionParser {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new InvalidQueryError(
      option,
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  }
  return new ExpressionParser(tokenize(text, option), option);
}

/** `$filter`: a boolean common expression. */
export function parseFilter(text: string): Expression {
  return parserFor(text, '$filter').parseWhole();
}

/** `$orderby`: orderbyItem *( COMMA orderbyItem ), orderbyItem = commonExpr [ RWS ( "asc" / "desc" ) ]. */
export function parseOrderBy(text: string): OrderByItem[] {
  const parser = parserFor(text, '$orderby');
  const items: OrderByItem[] = [];
  do {
    const expression = parser.parseOr();
    const descending = parser.acceptKeyword('desc');
    if (!descending) parser.acceptKeyword('asc');
    items.push({ expression, direction: descending ? 'desc' : 'asc' });
  } while (parser.acceptPunctuation(','));
  parser.expectEnd();
  return items;
}

/** `$select`: selectItem *( COMMA selectItem ), each `*` or a property path. */
export function parseSelect(text: string): SelectItem[] {
  const option = '$select';
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new InvalidQueryError(
      option,
      `the list is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  }
  const items: SelectItem[] = [];
  let position = 0;
  for (const raw of text.split(',')) {
    const leading = raw.length - raw.trimStart().length;
    const itemText = raw.trim();
    const itemPosition = position + leading;
    if (itemText === '*') {
      items.push({ path: '*', position: itemPosition });
    } else {
      const path: PathSegment[] = [];
      let offset = itemPosition;
      for (const name of itemText.split('/')) {
        if (!/^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]*$/u.test(name)) {
          throw new InvalidQueryError(option, `'${itemText}' is not a property path`, itemPosition);
        }
        path.push({ name, position: offset });
        offset += name.length + 1;
      }
      items.push({ path, position: itemPosition });
    }
    position += raw.length + 1;
  }
  return items;
}
