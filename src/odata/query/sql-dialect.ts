import { ValueType } from './checked-query';

export type DialectName = 'sqlite' | 'postgres';

/**
 * What differs between the databases in the SQL of a query: how a value is read out of a JSON
 * column, how a JSON array becomes rows, null-safe equality, substring search, typed parameters
 * and the order of nulls. Everything else the translator writes is SQL both databases read.
 *
 * `json` arguments are SQL expressions (a JSON column or a lambda's current element), `path` is a
 * list of declared property names (checked identifiers), `type` the value's EDM type: for a
 * dynamic property, the type of what it is compared with, if known.
 */
export interface SqlDialect {
  readonly name: DialectName;
  /** The value at `path` (possibly empty, for a lambda element itself) as an SQL value of `type`. */
  jsonValue(json: string, path: readonly string[], type: ValueType | undefined): string;
  /** A dynamic property: `name` is the SQL of a bound parameter holding `dynamicName(name)`. */
  dynamicValue(json: string, name: string, type: ValueType | undefined): string;
  dynamicName(name: string): string;
  /** A FROM item with one row per element of the JSON array at `path` (possibly empty). */
  arrayElements(json: string, path: readonly string[], alias: string): string;
  /** The current element of `arrayElements`'s alias, as JSON for jsonValue. */
  arrayElement(alias: string): string;
  /**
   * `json` holds, at `path`, an array with the element in the JSON document `document` (a bound
   * jsonb parameter): what `any(t: t eq <value>)` asks, in a form an index can answer. Undefined
   * where the database has no such operator (the translator then writes EXISTS over the elements).
   */
  readonly containment?: (json: string, document: string) => string;
  notDistinct(left: string, right: string): string;
  distinct(left: string, right: string): string;
  /** 1-based position of `needle` in `haystack`, 0 when absent. */
  position(haystack: string, needle: string): string;
  endsWith(value: string, suffix: string): string;
  toDouble(value: string): string;
  /** A bound parameter (`:name`, as TypeORM takes them), typed where the database must know. */
  parameter(name: string, type: ValueType | undefined): string;
  /** A value as the driver binds it for `parameter(…, type)`. */
  parameterValue(value: unknown, type: ValueType | undefined): unknown;
  /** Nulls come first ascending and last descending on every database, as SQLite orders them. */
  nullsOrder(direction: 'asc' | 'desc'): 'NULLS FIRST' | 'NULLS LAST' | undefined;
}

const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checked(path: readonly string[]): readonly string[] {
  for (const name of path) {
    if (!SAFE_IDENTIFIER.test(name)) throw new Error(`Refusing the JSON path segment ${name}`);
  }
  return path;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  // json_extract returns SQL values of the JSON's own type (true is 1), as comparisons need.
  jsonValue: (json, path) =>
    path.length === 0
      ? json
      : `json_extract(${json}, '$${checked(path)
          .map((n) => `.${n}`)
          .join('')}')`,
  dynamicValue: (json, name) => `json_extract(${json}, ${name})`,
  dynamicName: (name) => `$."${name}"`,
  arrayElements: (json, path, alias) =>
    `json_each(${json}${
      path.length === 0
        ? ''
        : `, '$${checked(path)
            .map((n) => `.${n}`)
            .join('')}'`
    }) AS ${alias}`,
  arrayElement: (alias) => `${alias}."value"`,
  notDistinct: (left, right) => `${left} IS ${right}`,
  distinct: (left, right) => `${left} IS NOT ${right}`,
  position: (haystack, needle) => `instr(${haystack}, ${needle})`,
  endsWith: (value, suffix) =>
    `(length(${suffix}) = 0 OR substr(${value}, -length(${suffix})) = ${suffix})`,
  toDouble: (value) => `CAST(${value} AS REAL)`,
  parameter: (name) => `:${name}`,
  parameterValue: (value) => (typeof value === 'boolean' ? Number(value) : value),
  nullsOrder: () => undefined,
};

const POSTGRES_CASTS: Readonly<Record<string, { sql: string; json: string }>> = {
  'Edm.Boolean': { sql: 'boolean', json: 'boolean' },
  'Edm.Int32': { sql: 'integer', json: 'number' },
  'Edm.Double': { sql: 'double precision', json: 'number' },
};

function isUntyped(type: ValueType | undefined): boolean {
  return type === undefined || type === 'untyped' || type === 'null';
}

function castFor(type: ValueType | undefined): { sql: string; json: string } | undefined {
  return typeof type === 'string' ? POSTGRES_CASTS[type] : undefined;
}

/**
 * `#>>` reads JSON as text. Declared properties were validated on the way in, so their text casts
 * to their type. Text compares byte by byte (COLLATE "C"), as in SQLite, whatever the database's
 * locale, so that both databases order and page alike.
 */
function postgresTyped(json: string, pathLiteral: string, type: ValueType | undefined): string {
  const text = `(${json} #>> ${pathLiteral})`;
  const cast = castFor(type);
  return cast ? `${text}::${cast.sql}` : `${text} COLLATE "C"`;
}

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  jsonValue: (json, path, type) => postgresTyped(json, `'{${checked(path).join(',')}}'`, type),
  // A dynamic property's JSON can be anything: it is cast only when its JSON type fits, else it
  // is NULL, and a comparison with it is false, as OData wants for values of another type.
  dynamicValue: (json, name, type) => {
    const cast = castFor(type);
    const element = `(${json} -> ${name})`;
    if (cast) {
      return `CASE WHEN jsonb_typeof(${element}) = '${cast.json}' THEN (${element} #>> '{}')::${cast.sql} END`;
    }
    // Compared with text: only a JSON string matches. Of unknown type (compared with null, or a
    // sort key): the jsonb value itself, which orders numbers as numbers (a JSON null is NULL).
    return isUntyped(type)
      ? `NULLIF(${element}, 'null'::jsonb)`
      : `CASE WHEN jsonb_typeof(${element}) = 'string' THEN (${element} #>> '{}') COLLATE "C" END`;
  },
  dynamicName: (name) => name,
  // A JSON null (or anything but an array) has no elements, rather than being an error.
  arrayElements: (json, path, alias) => {
    const array = path.length === 0 ? json : `(${json} #> '{${checked(path).join(',')}}')`;
    return `jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} END) AS ${alias}("value")`;
  },
  arrayElement: (alias) => `${alias}."value"`,
  // `@>`, which the GIN index on the column answers.
  containment: (json, document) => `${json} @> ${document}`,
  notDistinct: (left, right) => `${left} IS NOT DISTINCT FROM ${right}`,
  distinct: (left, right) => `${left} IS DISTINCT FROM ${right}`,
  position: (haystack, needle) => `strpos(${haystack}, ${needle})`,
  endsWith: (value, suffix) => `right(${value}, length(${suffix})) = ${suffix}`,
  toDouble: (value) => `CAST(${value} AS double precision)`,
  // PostgreSQL infers a parameter's type from its context, which `$1 || $2` or `$1 IS NULL` lack.
  parameter: (name, type) =>
    `CAST(:${name} AS ${isUntyped(type) ? 'jsonb' : (castFor(type)?.sql ?? 'text')})`,
  // An untyped value (a dynamic property's sort key) is compared as jsonb, so it is bound as JSON.
  parameterValue: (value, type) => (isUntyped(type) ? JSON.stringify(value) : value),
  nullsOrder: (direction) => (direction === 'asc' ? 'NULLS FIRST' : 'NULLS LAST'),
};

export function dialectNamed(name: DialectName): SqlDialect {
  return name === 'postgres' ? POSTGRES_DIALECT : SQLITE_DIALECT;
}
