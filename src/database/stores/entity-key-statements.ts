import { containerKeyOf, EntityType, OWNER_PROPERTIES } from '../../edm/model';

const TENANT_COLUMN = OWNER_PROPERTIES.tenant;

/**
 * The columns that name one entity within its tenant: the key, and for a contained type the
 * container's key too (its own key is unique within the container only).
 */
export function keyColumnsOf(entity: EntityType): readonly string[] {
  const container = containerKeyOf(entity);
  return container ? [entity.key, container] : [entity.key];
}

/**
 * The statements by key of an entity type, the same text on both databases (`?` placeholders):
 * read a tenant's row, insert one (every column, in `columns` order), update one at the version
 * read (the `updatedColumns`, then the key columns, tenant and version), delete one at that
 * version.
 */
export interface KeyStatements {
  /**
   * What an update sets: the data columns but the key and the tenant, which a change never moves.
   * Setting a parent key, even to the value it has, makes SQLite check every child row that
   * references it (an operation's results and HTTP requests), on every update of the parent.
   */
  readonly updatedColumns: readonly string[];
  readonly selectById: string;
  /** Reads some of the data columns of a tenant's row (a projection), with the same parameters. */
  readonly selectColumnsById: (columns: readonly string[]) => string;
  readonly insert: string;
  /** `count` rows in one statement, each as `insert` binds one. */
  readonly insertRows: (count: number) => string;
  readonly update: string;
  readonly delete: string;
}

export function keyStatements(
  table: string,
  columns: readonly string[],
  dataColumns: readonly string[],
  keyColumns: readonly string[] = ['id'],
): KeyStatements {
  const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`);
  const byKey = [...keyColumns, TENANT_COLUMN].map((column) => `"${column}" = ?`).join(' AND ');
  const into = `INSERT INTO "${table}" (${quoted(columns).join(', ')}) VALUES `;
  const row = `(${columns.map(() => '?').join(', ')})`;
  const fixed = new Set([...keyColumns, TENANT_COLUMN]);
  const updatedColumns = dataColumns.filter((column) => !fixed.has(column));
  return {
    updatedColumns,
    selectById: `SELECT ${quoted(dataColumns).join(', ')} FROM "${table}" WHERE ${byKey}`,
    selectColumnsById: (selected) =>
      `SELECT ${quoted(selected).join(', ')} FROM "${table}" WHERE ${byKey}`,
    insert: `${into}${row}`,
    insertRows: (count) => `${into}${Array.from({ length: count }, () => row).join(', ')}`,
    update: `UPDATE "${table}" SET ${quoted(updatedColumns)
      .map((column) => `${column} = ?`)
      .join(', ')} WHERE ${byKey} AND "lastModifiedDateTime" = ?`,
    delete: `DELETE FROM "${table}" WHERE ${byKey} AND "lastModifiedDateTime" = ?`,
  };
}
