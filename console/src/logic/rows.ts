/** Result rows (JSON strings) as a table: one column per name, in the order first seen. */

export interface RowsTable {
  readonly columns: string[];
  readonly rows: Array<Record<string, string>>;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function rowsTable(
  tenants: ReadonlyArray<{ tenant: string; rows: readonly string[] }>,
): RowsTable {
  const columns = ['Tenant'];
  const seen = new Set(columns);
  const rows: Array<Record<string, string>> = [];
  for (const { tenant, rows: texts } of tenants) {
    for (const text of texts) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { value: text };
      }
      const record =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : { value: parsed };
      const row: Record<string, string> = { Tenant: tenant };
      for (const [name, value] of Object.entries(record)) {
        if (name === '_TenantId') continue;
        if (!seen.has(name)) {
          seen.add(name);
          columns.push(name);
        }
        row[name] = cellText(value);
      }
      rows.push(row);
    }
  }
  return { columns, rows };
}
