import {
  CheckedExpression,
  CheckedSearch,
  FunctionName,
  SortKey,
  ValueSource,
  ValueType,
} from './checked-query';
import { EntityType, OWNER_PROPERTIES } from '../../edm/model';
import { SQLITE_DIALECT, SqlDialect } from './sql-dialect';

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

/**
 * Translates checked query trees to SQL, for SQLite or PostgreSQL: one translator, and what
 * differs between the two in a small SqlDialect. Every value is a bound parameter; every column
 * and JSON path comes from the model (via the checked tree); lambda variables become generated
 * aliases. Null semantics follow OData (URL Conventions 4.01 §5.1.1.1): `eq`/`ne` are null-safe
 * (`IS`, `IS NOT`), and ordering comparisons under `not` treat null as false.
 */
export class SqlTranslator {
  private parameterCount = 0;
  private lambdaCount = 0;
  private readonly params: Record<string, unknown> = {};
  private readonly lambdaAliases = new Map<string, string>();
  /** The aliases of the rows navigation lambda variables range over. */
  private readonly rowAliases = new Map<string, string>();

  constructor(
    private readonly tableAlias: string,
    private readonly dialect: SqlDialect = SQLITE_DIALECT,
    private readonly now: () => string = () => new Date().toISOString(),
    /** The table of an entity type, for navigation lambdas (storage knows it, not the query). */
    private readonly tableOf: (entity: EntityType) => string = () => {
      throw new Error('This translator knows no tables, so it cannot follow a navigation');
    },
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
        const term = this.bind(expression.text.toLowerCase(), 'Edm.String');
        return `(${columns.map((column) => `${this.dialect.position(`lower(${this.column(column)})`, term)} > 0`).join(' OR ')})`;
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
    return this.source(key.source, key.type);
  }

  /** How nulls of a key are placed (undefined: the database's own order, SQLite's). */
  nullsOrder(key: SortKey): 'NULLS FIRST' | 'NULLS LAST' | undefined {
    return key.nullable ? this.dialect.nullsOrder(key.direction) : undefined;
  }

  orderBy(keys: readonly SortKey[]): string {
    return keys
      .map((key) =>
        [this.sortValue(key), key.direction === 'desc' ? 'DESC' : 'ASC', this.nullsOrder(key)]
          .filter(Boolean)
          .join(' '),
      )
      .join(', ');
  }

  /**
   * The rows strictly after a position in the order of `keys` (keyset paging). NULL sorts before
   * every value (SQLite's order; PostgreSQL is told so), so it comes first ascending and last
   * descending. When no key can be null
   * and all run the same way, a row-value comparison lets SQLite seek an index directly.
   */
  after(keys: readonly SortKey[], position: readonly unknown[]): string {
    const sameDirection = keys.every((key) => key.direction === keys[0].direction);
    const noNulls = keys.every((key, i) => !key.nullable && position[i] !== null);
    if (sameDirection && noNulls) {
      const op = keys[0].direction === 'desc' ? '<' : '>';
      const values = position.map((value, i) => this.bind(value, keys[i].type));
      const rowValue = `(${keys.map((key) => this.sortValue(key)).join(', ')}) ${op} (${values.join(', ')})`;
      // The bound on the leading key alone is implied, but it is what lets SQLite seek the index.
      return `${this.sortValue(keys[0])} ${op}= ${values[0]} AND ${rowValue}`;
    }
    const build = (index: number): string => {
      const key = keys[index];
      const value = position[index];
      const sql = this.sortValue(key);
      const bound = value === null ? undefined : this.bind(value, key.type);
      const strictlyAfter =
        key.direction === 'asc'
          ? value === null
            ? `${sql} IS NOT NULL`
            : `${sql} > ${bound}`
          : value === null
            ? 'FALSE'
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
        const left = this.value(expression.left, typeOf(expression.right));
        const right = this.value(expression.right, typeOf(expression.left));
        // `IS` is null-safe; outside NOT, `=` with a non-null literal means the same (a null row
        // value is not true either way) and lets the database use an index.
        if (expression.operator === 'eq') {
          const literalRight =
            expression.right.kind === 'literal' && expression.right.value !== null;
          return !negated && literalRight
            ? `${left} = ${right}`
            : this.dialect.notDistinct(left, right);
        }
        if (expression.operator === 'ne') return this.dialect.distinct(left, right);
        const op = { gt: '>', ge: '>=', lt: '<', le: '<=' }[expression.operator];
        // A comparison with null is false in OData, NULL in SQL; they differ only under NOT.
        return negated ? `COALESCE(${left} ${op} ${right}, FALSE)` : `${left} ${op} ${right}`;
      }
      case 'in': {
        const itemType = expression.list.find((item) => item.value !== null)?.type;
        const operand = this.value(expression.operand, itemType);
        const values = expression.list
          .filter((item) => item.value !== null)
          .map((item) => this.value(item, typeOf(expression.operand)));
        const hasNull = values.length < expression.list.length;
        const parts = [
          ...(values.length > 0 ? [`${operand} IN (${values.join(', ')})`] : []),
          ...(hasNull ? [`${operand} IS NULL`] : []),
        ];
        const sql = parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
        return negated ? `COALESCE(${sql}, FALSE)` : sql;
      }
      case 'isTrue':
        if (expression.operand.kind === 'literal')
          return expression.operand.value ? 'TRUE' : 'FALSE';
        return `${this.value(expression.operand, 'Edm.Boolean')} = TRUE`;
      case 'lambda':
        return this.lambda(expression);
      case 'navigationLambda':
        return this.navigationLambda(expression);
      case 'function':
        return this.value(expression);
      default:
        throw new Error(`Not a condition: ${expression.kind}`);
    }
  }

  private lambda(expression: CheckedExpression & { kind: 'lambda' }): string {
    const contained = this.containment(expression);
    if (contained) return contained;
    const alias = quote(`l${this.lambdaCount++}`);
    const items = this.collectionSource(expression.collection, alias);
    if (!expression.predicate) return `EXISTS (SELECT 1 FROM ${items})`;
    this.lambdaAliases.set(expression.variable, alias);
    try {
      const predicate = this.bool(expression.predicate, false);
      return expression.operator === 'any'
        ? `EXISTS (SELECT 1 FROM ${items} WHERE ${predicate})`
        : `NOT EXISTS (SELECT 1 FROM ${items} WHERE NOT COALESCE(${predicate}, FALSE))`;
    } finally {
      this.lambdaAliases.delete(expression.variable);
    }
  }

  /**
   * any/all over a navigation: a correlated subquery on the target's table, linked by the
   * referential constraint and by the tenant, so that it reaches the same tenant's rows only.
   */
  private navigationLambda(expression: CheckedExpression & { kind: 'navigationLambda' }): string {
    const alias = quote(`n${this.lambdaCount++}`);
    const tenant = quote(OWNER_PROPERTIES.tenant);
    const from =
      `${quote(this.tableOf(expression.target))} ${alias} WHERE ${alias}.${tenant} = ` +
      `${this.column(OWNER_PROPERTIES.tenant)} AND ${alias}.${quote(expression.foreignKey)} = ` +
      this.column(expression.principalKey);
    if (!expression.predicate) return `EXISTS (SELECT 1 FROM ${from})`;
    this.rowAliases.set(expression.variable, alias);
    try {
      const predicate = this.bool(expression.predicate, false);
      return expression.operator === 'any'
        ? `EXISTS (SELECT 1 FROM ${from} AND ${predicate})`
        : `NOT EXISTS (SELECT 1 FROM ${from} AND NOT COALESCE(${predicate}, FALSE))`;
    } finally {
      this.rowAliases.delete(expression.variable);
    }
  }

  /**
   * `collection/any(t: t eq <literal>)` over a column's JSON array of primitives, where the dialect
   * has a containment operator: the column contains `{"path":[literal]}`.
   */
  private containment(expression: CheckedExpression & { kind: 'lambda' }): string | undefined {
    const { predicate, collection, variable } = expression;
    if (!this.dialect.containment || expression.operator !== 'any' || collection.kind !== 'column')
      return undefined;
    if (predicate?.kind !== 'comparison' || predicate.operator !== 'eq') return undefined;
    const isItem = (side: CheckedExpression) =>
      side.kind === 'value' &&
      side.source.kind === 'lambdaItem' &&
      side.source.variable === variable &&
      side.source.jsonPath.length === 0;
    const literal = isItem(predicate.left)
      ? predicate.right
      : isItem(predicate.right)
        ? predicate.left
        : undefined;
    if (literal?.kind !== 'literal' || literal.value === null || collection.jsonPath.length === 0)
      return undefined;
    let document: unknown = [literal.value];
    for (const name of [...collection.jsonPath].reverse()) document = { [name]: document };
    return this.dialect.containment(
      this.column(collection.column, collection.row),
      this.bind(document, 'untyped'),
    );
  }

  /** `type`: what the value is compared with or used as, for a dynamic property's reading. */
  private value(expression: CheckedExpression, type?: ValueType): string {
    switch (expression.kind) {
      case 'literal':
        if (expression.value === null) return 'NULL';
        return this.bind(expression.value, expression.type);
      case 'value':
        return this.source(
          expression.source,
          expression.type === 'untyped' || expression.type === 'null' ? type : expression.type,
        );
      case 'now':
        return this.bind(this.now(), 'Edm.DateTimeOffset');
      case 'negate':
        return `(-${this.value(expression.operand, numeric(expression.type))})`;
      case 'arithmetic': {
        const left = this.value(expression.left, numeric(expression.type));
        const right = this.value(expression.right, numeric(expression.type));
        // Division by zero is null (SQLite's answer), never an error.
        switch (expression.operator) {
          case 'add':
            return `(${left} + ${right})`;
          case 'sub':
            return `(${left} - ${right})`;
          case 'mul':
            return `(${left} * ${right})`;
          case 'div':
            return expression.type === 'Edm.Int32'
              ? `(${left} / NULLIF(${right}, 0))`
              : `(${this.dialect.toDouble(left)} / NULLIF(${right}, 0))`;
          case 'divby':
            return `(${this.dialect.toDouble(left)} / NULLIF(${right}, 0))`;
          case 'mod':
            return `(${left} % NULLIF(${right}, 0))`;
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
    const args = expression.args.map((arg, index) =>
      this.value(arg, argumentType(expression.name, index)),
    );
    const [a, b, c] = args;
    // Date-times are stored and bound as UTC ISO 8601 text (2026-01-31T12:00:00Z), so their
    // parts are fixed positions of the text, the same on every database.
    const part = (start: number, length: number) =>
      `CAST(substr(${a}, ${start}, ${length}) AS INTEGER)`;
    switch (expression.name) {
      case 'contains':
        return `${this.dialect.position(a, b)} > 0`;
      case 'startswith':
        return `substr(${a}, 1, length(${b})) = ${b}`;
      case 'endswith':
        return this.dialect.endsWith(a, b);
      case 'tolower':
        return `lower(${a})`;
      case 'toupper':
        return `upper(${a})`;
      case 'trim':
        return `trim(${a})`;
      case 'length':
        return `length(${a})`;
      case 'indexof':
        return `(${this.dialect.position(a, b)} - 1)`;
      case 'substring':
        return c === undefined ? `substr(${a}, ${b} + 1)` : `substr(${a}, ${b} + 1, ${c})`;
      case 'concat':
        return `(${a} || ${b})`;
      case 'year':
        return part(1, 4);
      case 'month':
        return part(6, 2);
      case 'day':
        return part(9, 2);
      case 'hour':
        return part(12, 2);
      case 'minute':
        return part(15, 2);
      case 'second':
        return part(18, 2);
      case 'date':
        return `substr(${a}, 1, 10)`;
    }
  }

  private source(source: ValueSource, type: ValueType | undefined): string {
    switch (source.kind) {
      case 'column':
        return source.jsonPath.length === 0
          ? this.column(source.column, source.row)
          : this.dialect.jsonValue(this.column(source.column, source.row), source.jsonPath, type);
      case 'dynamic':
        // The name is a checked identifier, bound as a parameter all the same.
        return this.dialect.dynamicValue(
          this.column(source.column, source.row),
          this.bind(this.dialect.dynamicName(source.name), 'Edm.String'),
          type,
        );
      case 'lambdaItem':
        return this.dialect.jsonValue(
          this.dialect.arrayElement(this.lambdaAlias(source.variable)),
          source.jsonPath,
          type,
        );
      case 'related': {
        // A correlated subquery on the target's table: its row this one names, in its tenant.
        const alias = quote(`r${this.lambdaCount++}`);
        const column = `${alias}.${quote(source.column)}`;
        const value =
          source.jsonPath.length === 0
            ? column
            : this.dialect.jsonValue(column, source.jsonPath, type);
        const tenant = quote(OWNER_PROPERTIES.tenant);
        return (
          `(SELECT ${value} FROM ${quote(this.tableOf(source.target))} ${alias} WHERE ` +
          `${alias}.${tenant} = ${this.column(OWNER_PROPERTIES.tenant)} AND ` +
          `${alias}.${quote(source.target.key)} = ${this.column(source.foreignKey)})`
        );
      }
    }
  }

  /** A FROM item over the JSON array a lambda ranges over. */
  private collectionSource(source: ValueSource, alias: string): string {
    switch (source.kind) {
      case 'column':
        return this.dialect.arrayElements(
          this.column(source.column, source.row),
          source.jsonPath,
          alias,
        );
      case 'lambdaItem':
        return this.dialect.arrayElements(
          this.dialect.arrayElement(this.lambdaAlias(source.variable)),
          source.jsonPath,
          alias,
        );
      case 'dynamic':
        throw new Error('Dynamic properties are not collections');
      case 'related':
        throw new Error('A related entity’s collections cannot be ranged over');
    }
  }

  private lambdaAlias(variable: string): string {
    const alias = this.lambdaAliases.get(variable);
    if (!alias) throw new Error(`The lambda variable ${variable} is not in scope`);
    return alias;
  }

  /** A column of the query's row, or of the row a navigation lambda variable ranges over. */
  private column(name: string, row?: string): string {
    if (row === undefined) return `${quote(this.tableAlias)}.${quote(name)}`;
    const alias = this.rowAliases.get(row);
    if (!alias) throw new Error(`The lambda variable ${row} is not in scope`);
    return `${alias}.${quote(name)}`;
  }

  private bind(value: unknown, type: ValueType | undefined): string {
    const name = `p${this.parameterCount++}`;
    this.params[name] = this.dialect.parameterValue(value, type);
    return this.dialect.parameter(name, type);
  }
}

function typeOf(expression: CheckedExpression): ValueType | undefined {
  if (expression.kind === 'now') return 'Edm.DateTimeOffset';
  return 'type' in expression ? expression.type : undefined;
}

/** Arithmetic on a dynamic property reads it as a number (a number-typed JSON value, else null). */
function numeric(type: ValueType): ValueType {
  return type === 'untyped' || type === 'null' ? 'Edm.Double' : type;
}

/** The type a function's argument is read as: text, but for substring's positions. */
function argumentType(name: FunctionName, index: number): ValueType {
  return name === 'substring' && index > 0 ? 'Edm.Int32' : 'Edm.String';
}
