/** What `compareRuns` says of a row, as the comparison table shows it. */

export interface FieldChange {
  readonly name: string;
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
}

function parsedRow(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { value: text };
  }
}

function shown(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The fields of a row in both runs, in the order they first appear, each saying whether it
 * changed; `_TenantId` and OData annotations are left out, as the comparison leaves them out.
 */
export function fieldChanges(
  baseRow: string | null | undefined,
  row: string | null | undefined,
): FieldChange[] {
  const before = parsedRow(baseRow);
  const after = parsedRow(row);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => name !== '_TenantId' && !name.includes('@odata.'),
  );
  return names.map((name) => {
    const was = shown(before[name]);
    const is = shown(after[name]);
    return { name, before: was, after: is, changed: was !== is };
  });
}

const LABELS: Readonly<Record<string, string>> = {
  added: 'Row added',
  removed: 'Row removed',
  changed: 'Row changed',
  tenantAdded: 'Tenant added',
  tenantRemoved: 'Tenant removed',
  outcomeChanged: 'Outcome changed',
};

export function changeLabel(changeType: string): string {
  return LABELS[changeType] ?? changeType;
}
