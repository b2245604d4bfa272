import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { messageOf } from '../components/hooks';
import { Column, DataTable, Pager, usePagedCollection } from '../components/data-table';
import { ErrorMessage, saveBlob, Section } from '../components/ui';
import { rowsTable } from '../logic/rows';
import { RunEntity } from './operation';

interface ResultRows {
  id: string;
  targetTenantId: string;
  result?: string[] | null;
  tenant?: { displayName?: string } | null;
}

const TENANTS_PER_PAGE = 10;

/**
 * A run's rows as a table, the rows of a few tenants a page; the whole run as the API's CSV or
 * JSON export.
 */
export function RunRows({
  operationId,
  operationName,
  run,
  version,
}: {
  operationId: string;
  operationName: string;
  run: RunEntity;
  version: number;
}) {
  const api = useApi();
  const [error, setError] = useState<string>();
  const base = `managedTenantOperations/${encodeURIComponent(operationId)}/runs/${run.runNumber}`;
  const paged = usePagedCollection<ResultRows>(
    () =>
      api.page(`${base}/results`, {
        $select: 'id,targetTenantId,result',
        $expand: 'tenant($select=displayName)',
        $filter: 'isSuccess eq true',
        $orderby: 'tenant/displayName,id',
        $top: TENANTS_PER_PAGE,
        $count: true,
      }),
    [base],
  );
  useEffect(() => {
    if (version > 0 && run.status === 'running') paged.loaded.reload();
  }, [version]);
  const table = rowsTable(
    (paged.loaded.data?.value ?? []).map((item) => ({
      tenant: item.tenant?.displayName ?? item.targetTenantId,
      rows: item.result ?? [],
    })),
  );
  const columns: Column<Record<string, string>>[] = table.columns.map((name) => ({
    title: name,
    cell: (row) => row[name] ?? '',
  }));
  const download = async (format: 'csv' | 'json') => {
    setError(undefined);
    try {
      const blob = await api.file(
        `${base}/rows`,
        format === 'csv' ? { $format: 'csv' } : {},
        format === 'csv' ? 'text/csv' : 'application/json',
      );
      const safe = operationName.replace(/[^\p{L}\p{N}._-]+/gu, '-');
      saveBlob(blob, `${safe}-run-${run.runNumber}.${format}`);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <Section
      title="Rows"
      actions={
        <>
          <button type="button" onClick={() => download('csv')}>
            Download CSV
          </button>
          <button type="button" onClick={() => download('json')}>
            Download JSON
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      <DataTable
        label="Rows"
        columns={columns}
        loaded={{
          ...paged.loaded,
          data: paged.loaded.data && {
            value: table.rows.map((row, index) => ({ ...row, __key: String(index) })),
          },
        }}
        rowKey={(row) => row.__key}
        empty="No rows: no tenant has succeeded in this run yet."
      />
      <Pager label="Rows" paged={paged} />
    </Section>
  );
}
