/**
 * What changed for one tenant from one run to another (`compareRuns`): whether it is in both,
 * whether its outcome changed, and, where it succeeded in both, its rows. Rows with an `id` are
 * matched by it (`changed` when anything else differs, `_TenantId` and `@odata.*` ignored); rows
 * without one are matched by their whole content, so they are only `added` or `removed`.
 */

export type DifferenceType =
  'added' | 'removed' | 'changed' | 'tenantAdded' | 'tenantRemoved' | 'outcomeChanged';

export interface RunDifference {
  readonly targetTenantId: string;
  /** The tenant's name in the directory, added to a page of differences as it is answered. */
  readonly tenantDisplayName?: string | null;
  readonly changeType: DifferenceType;
  readonly rowKey: string | null;
  readonly row: string | null;
  readonly baseRow: string | null;
  readonly isSuccess: boolean | null;
  readonly baseIsSuccess: boolean | null;
}

/** A tenant as of one run: its outcome and its rows (JSON strings), from its latest result. */
export interface TenantState {
  readonly isSuccess: boolean | null;
  readonly rows: readonly string[];
}

export function tenantDifferences(
  targetTenantId: string,
  base: TenantState | undefined,
  later: TenantState | undefined,
): RunDifference[] {
  const difference = (
    changeType: DifferenceType,
    rowKey: string | null = null,
    row: string | null = null,
    baseRow: string | null = null,
  ): RunDifference => ({
    targetTenantId,
    changeType,
    rowKey,
    row,
    baseRow,
    isSuccess: later?.isSuccess ?? null,
    baseIsSuccess: base?.isSuccess ?? null,
  });
  if (!base && !later) return [];
  if (!base) return [difference('tenantAdded')];
  if (!later) return [difference('tenantRemoved')];
  const found: RunDifference[] = [];
  if (Boolean(base.isSuccess) !== Boolean(later.isSuccess))
    found.push(difference('outcomeChanged'));
  // A tenant that failed on either side has no rows to compare there.
  if (base.isSuccess !== true || later.isSuccess !== true) return found;
  // Most tenants' rows are the same text in both runs: nothing to parse then.
  if (
    base.rows.length === later.rows.length &&
    base.rows.every((row, i) => row === later.rows[i])
  ) {
    return found;
  }
  for (const row of rowDifferences(base.rows, later.rows)) {
    found.push(difference(row.changeType, row.rowKey, row.row, row.baseRow));
  }
  return found;
}

interface ReadRow {
  readonly text: string;
  /** The row's `id`, if it is an object with one. */
  readonly key?: string;
  /** What is compared: the content without `_TenantId` and `@odata.*`, keys sorted. */
  readonly content: string;
}

function readRow(text: string): ReadRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text, content: text };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { text, content: canonical(value) };
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([name]) => name !== '_TenantId' && !name.startsWith('@odata.'),
  );
  const id = (value as Record<string, unknown>).id;
  return {
    text,
    key: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    content: canonical(Object.fromEntries(entries)),
  };
}

/** JSON with every object's keys sorted, so that equal content is equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}

type RowDifference = Pick<RunDifference, 'changeType' | 'rowKey' | 'row' | 'baseRow'>;

/** The rows added, removed and changed, in the later run's order, then the base run's. */
export function rowDifferences(
  baseRows: readonly string[],
  rows: readonly string[],
): RowDifference[] {
  const base = baseRows.map(readRow);
  const later = rows.map(readRow);
  const baseByKey = new Map(base.filter((row) => row.key !== undefined).map((r) => [r.key!, r]));
  const laterKeys = new Set(later.filter((row) => row.key !== undefined).map((row) => row.key!));
  // Rows without an id, by content: how many of each the base run has that the later one has not.
  const unmatchedBase = new Map<string, number>();
  for (const row of base) {
    if (row.key === undefined)
      unmatchedBase.set(row.content, (unmatchedBase.get(row.content) ?? 0) + 1);
  }
  const found: RowDifference[] = [];
  for (const row of later) {
    if (row.key !== undefined) {
      const before = baseByKey.get(row.key);
      if (!before)
        found.push({ changeType: 'added', rowKey: row.key, row: row.text, baseRow: null });
      else if (before.content !== row.content) {
        found.push({ changeType: 'changed', rowKey: row.key, row: row.text, baseRow: before.text });
      }
      continue;
    }
    const left = unmatchedBase.get(row.content) ?? 0;
    if (left > 0) unmatchedBase.set(row.content, left - 1);
    else found.push({ changeType: 'added', rowKey: null, row: row.text, baseRow: null });
  }
  for (const row of base) {
    if (row.key !== undefined) {
      if (!laterKeys.has(row.key)) {
        found.push({ changeType: 'removed', rowKey: row.key, row: null, baseRow: row.text });
      }
      continue;
    }
    const left = unmatchedBase.get(row.content) ?? 0;
    if (left > 0) {
      unmatchedBase.set(row.content, left - 1);
      found.push({ changeType: 'removed', rowKey: null, row: null, baseRow: row.text });
    }
  }
  return found;
}
