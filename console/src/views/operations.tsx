import { useState } from 'preact/hooks';
import { useApi } from '../components/context';
import {
  Column,
  FilterForm,
  PAGE_SIZE,
  PagedTable,
  Sort,
  usePagedCollection,
} from '../components/data-table';
import { ChoiceField, SearchField, Section, StatusBadge } from '../components/ui';
import { formatDateTime } from '../logic/dates';
import { allOf, containsText, orderBy, quote } from '../logic/odata';
import { hrefOf } from '../logic/routes';
import { useDelta } from './live';

export interface OperationSummary {
  id: string;
  name: string;
  description?: string;
  status: string;
  lastModifiedDateTime?: string;
  result?: { executionInfo?: string | null };
  schedule?: { nextRunDateTime?: string | null; isPaused?: boolean } | null;
}

const STATUSES = ['created', 'running', 'succeeded', 'failed', 'cancelled'];

export function OperationsView() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<Sort>({ by: 'lastModifiedDateTime', descending: true });
  const paged = usePagedCollection<OperationSummary>(
    () =>
      api.page('managedTenantOperations', {
        $select: 'id,name,description,status,lastModifiedDateTime,result,schedule',
        $filter: allOf(containsText('name', search), status && `status eq ${quote(status)}`),
        $orderby: orderBy(sort.by, sort.descending),
        $top: PAGE_SIZE,
        $count: true,
      }),
    [search, status, sort.by, sort.descending],
  );
  // Live status: what changed since, from the set's delta query.
  useDelta('managedTenantOperations/delta?$select=status', () => paged.loaded.reload(), 2000);

  const columns: Column<OperationSummary>[] = [
    {
      title: 'Name',
      sortBy: 'name',
      cell: (item) => (
        <a href={hrefOf({ view: 'operation', id: item.id, tab: 'tenants' })}>{item.name}</a>
      ),
    },
    { title: 'Status', sortBy: 'status', cell: (item) => <StatusBadge status={item.status} /> },
    { title: 'Last run', cell: (item) => item.result?.executionInfo ?? '' },
    {
      title: 'Next scheduled run',
      cell: (item) =>
        item.schedule?.isPaused ? 'Paused' : formatDateTime(item.schedule?.nextRunDateTime),
    },
    {
      title: 'Changed',
      sortBy: 'lastModifiedDateTime',
      cell: (item) => formatDateTime(item.lastModifiedDateTime),
    },
  ];
  return (
    <Section
      title="Operations"
      actions={
        <a class="button primary" href={hrefOf({ view: 'newOperation' })}>
          New operation
        </a>
      }
    >
      <FilterForm label="Find operations">
        <SearchField label="Search by name" value={search} onChange={setSearch} />
        <ChoiceField
          label="Status"
          value={status}
          onChange={setStatus}
          choices={STATUSES.map((value) => [value, value] as const)}
        />
      </FilterForm>
      <PagedTable
        label="Operations"
        columns={columns}
        paged={paged}
        rowKey={(item) => item.id}
        sort={sort}
        onSort={setSort}
        empty="No operation yet: create one with New operation."
      />
    </Section>
  );
}
