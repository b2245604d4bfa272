import { CheckedExpression, CheckedSearch, SortKey, ValueSource } from './checked-query';

/** SQL text with named parameters (`:name`, as TypeORM's QueryBuilder takes them). */
export interface SqlFragment {
  readonly sql: string;
  readonly params: Record<string, unknown>;
}

const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Identifiers come from the model, never from the request; this guards that promise. */
function quote(identifier: string): string {
  if (!SAFE_IDENTIFIER.test(identifier))
    throw new Error(`Refusing to quote the identifier ${identifier}`);
  return `"${identifier}"`;
}

/** A JSON path of declared property names, as an SQL string literal (`'$.a.b'`). */
function jsonPathLiteral(path: readonly string[]): string {
  return `'$${path.map((name) => `.${quote(name).slice(1, -1)}`).join('')}'`;
}

/**
 * Translates checked query trees to SQLite SQL. Every value is a bound parameter; every column
 * and JSON path comes from the model (via the checked tree); lambda variables become generated
 * aliases. Null semantics follow OData (URL Conventions 4.01 §5.1.1.1): `eq`/`ne` are null-safe
 * (`IS`, `IS NOT`), and ordering comparisons under `not` treat null as false.
 */
export class SqlTranslator {
  private parameterCount = 0;
  private lambdaCount = 0;
  private readonly params: Record<string, unknown> = {};
  private readonly lambdaAliases = new Map<string, string>();

  constructor(
    private readonly tableAlias: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    quote(tableAlias);
  }

  /** The parameters of everything translated so far. */
  get parameters(): Record<string, unknown> {
    return { ...this.params };
  }

  condition(expression: CheckedExpression): string {
    return this.bool(expression, false);
  }

  /** $search over the given text columns, case-insensitive, each term a substring match. */
  search(expression: CheckedSearch, columns: readonly string[]): string {
    switch (expression.kind) {
      case 'term': {
        const term = this.bind(expression.text.toLowerCase());
        return `(${columns.map((column) => `instr(lower(${this.column(column)}), ${term}) > 0`).join(' OR ')})`;
      }
      case 'not':
        return `NOT ${this.search(expression.operand, columns)}`;
      case 'and':
      case 'or':
        return `(${this.search(expression.left, columns)} ${expression.kind.toUpperCase()} ${this.search(expression.right, columns)})`;
    }
  }

  /** The SQL of a sort key's value, for ORDER BY and for reading the last row's position. */
  sortValue(key: SortKey): string {
    return this.source(key.source);
  }

  orderBy(keys: readonly SortKey[]): string {
    return keys
      .map((key) => `${this.sortValue(key)} ${key.direction === 'desc' ? 'DESC' : 'ASC'}`)
      .join(', ');
  }

  /**
   * The rows strictly after a position in the order of `keys` (keyset paging). SQLite sorts NULL
   * before every value, so it comes first ascending and last descending. When no key can be null
   * and all run the same way, a row-value comparison lets SQLite seek an index directly.
   */
  after(keys: readonly SortKey[], position: readonly unknown[]): string {
    const sameDirection = keys.every((key) => key.direction === keys[0].direction);
    const noNulls = keys.every((key, i) => !key.nullable && position[i] !== null);
    if (sameDirection && noNulls) {
      const op = keys[0].direction === 'desc' ? '<' : '>';
      const values = position.map((value) => this.bind(value));
      const rowValue = `(${keys.map((key) => this.sortValue(key)).join(', ')}) ${op} (${values.join(', ')})`;
      // The bound on the leading key alone is implied, but it is what lets SQLite seek the index.
      return `${this.sortValue(keys[0])} ${op}= ${values[0]} AND ${rowValue}`;
    }
    const build = (index: number): string => {
      const key = keys[index];
      const value = position[index];
      const sql = this.sortValue(key);
      const bound = value === null ? undefined : this.bind(value);
      const strictlyAfter =
        key.direction === 'asc'
          ? value === null
            ? `${sql} IS NOT NULL`
            : `${sql} > ${bound}`
          : value === null
            ? '0'
            : `(${sql} < ${bound} OR ${sql} IS NULL)`;
      if (index === keys.length - 1) return strictlyAfter;
      const equal = value === null ? `${sql} IS NULL` : `${sql} = ${bound}`;
      return `(${strictlyAfter} OR (${equal} AND ${build(index + 1)}))`;
    };
    return build(0);
  }

  private bool(expression: CheckedExpression, negated: boolean): string {
    switch (expression.kind) {
      case 'logical':
        return `(${this.bool(expression.left, negated)} ${expression.operator.toUpperCase()} ${this.bool(expression.right, negated)})`;
      case 'not':
        return `NOT (${this.bool(expression.operand, !negated)})`;
      case 'comparison': {
        const left = this.value(expression.left);
        const right = this.value(expression.right);
        // `IS` is null-safe; outside NOT, `=` with a non-null literal means the same (a null row
        // value is not true either way) and lets SQLite use an index.
        if (expression.operator === 'eq') {
          const literalRight =
            expression.right.kind === 'literal' && expression.right.value !== null;
          return !negated && literalRight ? `${left} = ${right}` : `${left} IS ${right}`;
        }
        if (expression.operator === 'ne') return `${left} IS NOT ${right}`;
        const op = { gt: '>', ge: '>=', lt: '<', le: '<=' }[expression.operator];
        // A comparison with null is false in OData, NULL in SQL; they differ only under NOT.
        return negated ? `COALESCE(${left} ${op} ${right}, 0)` : `${left} ${op} ${right}`;
      }
      case 'in': {
        const operand = this.value(expression.operand);
        const values = expression.list
          .filter((item) => item.value !== null)
          .map((item) => this.value(item));
        const hasNull = values.length < expression.list.length;
        const parts = [
          ...(values.length > 0 ? [`${operand} IN (${values.join(', ')})`] : []),
          ...(hasNull ? [`${operand} IS NULL`] : []),
        ];
        const sql = parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
        return negated ? `COALESCE(${sql}, 0)` : sql;
      }
      case 'isTrue':
        if (expression.operand.kind === 'literal') return expression.operand.value ? '1' : '0';
        return `${this.value(expression.operand)} = 1`;
      case 'lambda':
        return this.lambda(expression);
      case 'function':
        return this.value(expression);
      default:
        throw new Error(`Not a condition: ${expression.kind}`);
    }
  }

  private lambda(expression: CheckedExpression & { kind: 'lambda' }): string {
    const alias = `l${this.lambdaCount++}`;
    const items = `json_each(${this.collectionSource(expression.collection)}) AS ${quote(alias)}`;
    if (!expression.predicate) return `EXISTS (SELECT 1 FROM ${items})`;
    this.lambdaAliases.set(expression.variable, alias);
    try {
      const predicate = this.bool(expression.predicate, false);
      return expression.operator === 'any'
        ? `EXISTS (SELECT 1 FROM ${items} WHERE ${predicate})`
        : `NOT EXISTS (SELECT 1 FROM ${items} WHERE NOT COALESCE(${predicate}, 0))`;
    } finally {
      this.lambdaAliases.delete(expression.variable);
    }
  }

  private value(expression: CheckedExpression): string {
    switch (expression.kind) {
      case 'literal':
        if (expression.value === null) return 'NULL';
        return this.bind(expression.value);
      case 'value':
        return this.source(expression.source);
      case 'now':
        return this.bind(this.now());
      case 'negate':
        return `(-${this.value(expression.operand)})`;
      case 'arithmetic': {
        const left = this.value(expression.left);
        const right = this.value(expression.right);
        switch (expression.operator) {
          case 'add':
            return `(${left} + ${right})`;
          case 'sub':
            return `(${left} - ${right})`;
          case 'mul':
            return `(${left} * ${right})`;
          case 'div':
            return expression.type === 'Edm.Int32'
              ? `(${left} / ${right})`
              : `(CAST(${left} AS REAL) / ${right})`;
          case 'divby':
            return `(CAST(${left} AS REAL) / ${right})`;
          case 'mod':
            return `(${left} % ${right})`;
        }
        break;
      }
      case 'function':
        return this.call(expression);
      default:
        return `(${this.bool(expression, false)})`;
    }
    throw new Error('unreachable');
  }

  private call(expression: CheckedExpression & { kind: 'function' }): string {
    const args = expression.args.map((arg) => this.value(arg));
    const [a, b, c] = args;
    const part = (format: string) => `CAST(strftime('${format}', ${a}) AS INTEGER)`;
    switch (expression.name) {
      case 'contains':
        return `instr(${a}, ${b}) > 0`;
      case 'startswith':
        return `substr(${a}, 1, length(${b})) = ${b}`;
      case 'endswith':
        return `(length(${b}) = 0 OR substr(${a}, -length(${b})) = ${b})`;
      case 'tolower':
        return `lower(${a})`;
      case 'toupper':
        return `upper(${a})`;
      case 'trim':
        return `trim(${a})`;
      case 'length':
        return `length(${a})`;
      case 'indexof':
        return `(instr(${a}, ${b}) - 1)`;
      case 'substring':
        return c === undefined ? `substr(${a}, ${b} + 1)` : `substr(${a}, ${b} + 1, ${c})`;
      case 'concat':
        return `(${a} || ${b})`;
      case 'year':
        return part('%Y');
      case 'month':
        return part('%m');
      case 'day':
        return part('%d');
      case 'hour':
        return part('%H');
      case 'minute':
        return part('%M');
      case 'second':
        return part('%S');
      case 'date':
        return `date(${a})`;
    }
  }

  private source(source: ValueSource): string {
    switch (source.kind) {
      case 'column':
        return source.jsonPath.length === 0
          ? this.column(source.column)
          : `json_extract(${this.column(source.column)}, ${jsonPathLiteral(source.jsonPath)})`;
      case 'dynamic':
        // The name is a checked identifier, bound as a parameter all the same.
        return `json_extract(${this.column(source.column)}, ${this.bind(`$."${source.name}"`)})`;
      case 'lambdaItem': {
        const item = `${quote(this.lambdaAlias(source.variable))}."value"`;
        return source.jsonPath.length === 0
          ? item
          : `json_extract(${item}, ${jsonPathLiteral(source.jsonPath)})`;
      }
    }
  }

  /** The JSON that a lambda ranges over, as json_each's arguments. */
  private collectionSource(source: ValueSource): string {
    switch (source.kind) {
      case 'column':
        return source.jsonPath.length === 0
          ? this.column(source.column)
          : `${this.column(source.column)}, ${jsonPathLiteral(source.jsonPath)}`;
      case 'lambdaItem': {
        const item = `${quote(this.lambdaAlias(source.variable))}."value"`;
        return source.jsonPath.length === 0 ? item : `${item}, ${jsonPathLiteral(source.jsonPath)}`;
      }
      case 'dynamic':
        throw new Error('Dynamic properties are not collections');
    }
  }

  private lambdaAlias(variable: string): string {
    const alias = this.lambdaAliases.get(variable);
    if (!alias) throw new Error(`The lambda variable ${variable} is not in scope`);
    return alias;
  }

  private column(name: string): string {
    return `${quote(this.tableAlias)}.${quote(name)}`;
  }

  private bind(value: unknown): string {
    const name = `p${this.parameterCount++}`;
    this.params[name] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return `:${name}`;
  }
}
