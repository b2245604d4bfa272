/**
 * What the PostgreSQL stores share about running SQL written with `?` placeholders through
 * TypeORM's `query`: numbering the placeholders, and reading what `query` returns.
 */

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/** The rows of a `query` result: an UPDATE … RETURNING comes back as [rows, count]. */
export function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as Array<Record<string, unknown>>;
  }
  return result as Array<Record<string, unknown>>;
}

/** How many rows an UPDATE or DELETE changed, from a `query` result ([rows, count]). */
export function affectedOf(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
