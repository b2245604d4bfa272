import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { Column, PAGE_SIZE, PagedTable, usePagedCollection } from '../components/data-table';
import { Section, StatusBadge } from '../components/ui';
import { durationBetween, formatDateTime } from '../logic/dates';
import { hrefOf } from '../logic/routes';
import { RunEntity } from './operation';

/** The runs of an operation, newest first; two of them picked for "Compare runs". */
export function RunHistory({ operationId, version }: { operationId: string; version: string }) {
  const api = useApi();
  const [picked, setPicked] = useState<number[]>([]);
  const paged = usePagedCollection<RunEntity>(
    () =>
      api.page(`managedTenantOperations/${encodeURIComponent(operationId)}/runs`, {
        $top: PAGE_SIZE,
        $count: true,
      }),
    [operationId],
  );
  useEffect(() => paged.loaded.reload(), [version]);
  const toggle = (runNumber: number, on: boolean) =>
    setPicked(
      on
        ? [...picked.filter((other) => other !== runNumber), runNumber].slice(-2)
        : picked.filter((other) => other !== runNumber),
    );
  const [base, run] = [...picked].sort((a, b) => a - b);
  const columns: Column<RunEntity>[] = [
    {
      title: 'Compare',
      cell: (item) => (
        <input
          type="checkbox"
          aria-label={`Pick run ${item.runNumber} to compare`}
          checked={picked.includes(item.runNumber)}
          onChange={(event) => toggle(item.runNumber, event.currentTarget.checked)}
        />
      ),
    },
    {
      title: 'Run',
      cell: (item) => (
        <a
          href={hrefOf({ view: 'operation', id: operationId, tab: 'tenants', run: item.runNumber })}
        >
          Run {item.runNumber}
        </a>
      ),
    },
    {
      title: 'Trigger',
      cell: (item) =>
        `${item.trigger}${item.tenantScope === 'notSucceeded' ? ' (failed tenants again)' : ''}`,
    },
    { title: 'Status', cell: (item) => <StatusBadge status={item.status} /> },
    { title: 'Tenants', cell: (item) => item.tenantCount },
    { title: 'Succeeded', cell: (item) => item.succeededTenantCount },
    { title: 'Failed', cell: (item) => item.failedTenantCount },
    { title: 'Calls', cell: (item) => item.callCount },
    {
      title: 'Started',
      cell: (item) => formatDateTime(item.startedDateTime ?? item.scheduledDateTime),
    },
    {
      title: 'Duration',
      cell: (item) => durationBetween(item.startedDateTime, item.finishedDateTime),
    },
  ];
  return (
    <Section
      title="History"
      actions={
        base && run ? (
          <a class="button primary" href={hrefOf({ view: 'compare', id: operationId, base, run })}>
            Compare runs
          </a>
        ) : (
          <button type="button" disabled>
            Compare runs
          </button>
        )
      }
    >
      <p class="hint">Pick two runs to compare them.</p>
      <PagedTable
        label="Runs"
        columns={columns}
        paged={paged}
        rowKey={(item) => String(item.runNumber)}
        empty="No run yet."
      />
    </Section>
  );
}
