import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../components/context';
import {
  Column,
  FilterForm,
  PAGE_SIZE,
  PagedTable,
  Sort,
  usePagedCollection,
} from '../components/data-table';
import { ChoiceField, SearchField, Section } from '../components/ui';
import { allOf, containsText, orderBy } from '../logic/odata';
import { hrefOf } from '../logic/routes';
import {
  Outcome,
  OUTCOME_LABELS,
  outcomeFilter,
  outcomeOf,
  tenantFigures,
} from '../logic/tenant-result';
import { RunEntity } from './operation';

export interface TenantResult {
  id: string;
  targetTenantId: string;
  isSuccess?: boolean | null;
  exception?: string | null;
  executionInfo?: string | null;
  lastModifiedDateTime?: string;
  tenant?: { displayName?: string } | null;
}

/** Each tenant of a run: name, outcome, rows, time, what went wrong; a page at a time. */
export function RunTenants({
  operationId,
  run,
  version,
}: {
  operationId: string;
  run: RunEntity;
  version: number;
}) {
  const api = useApi();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>({ by: 'tenant/displayName', descending: false });
  const path = `managedTenantOperations/${encodeURIComponent(operationId)}/runs/${run.runNumber}/results`;
  const paged = usePagedCollection<TenantResult>(
    () =>
      api.page(path, {
        $select: 'id,targetTenantId,isSuccess,exception,executionInfo,lastModifiedDateTime',
        $expand: 'tenant($select=displayName)',
        $filter: allOf(outcomeFilter(outcome), containsText('tenant/displayName', search)),
        $orderby: `${orderBy(sort.by, sort.descending)},id`,
        $top: PAGE_SIZE,
        $count: true,
      }),
    [path, outcome, search, sort.by, sort.descending],
  );
  // Results written while the run goes: the page on screen is read again (one page, not all).
  useEffect(() => {
    if (version > 0) paged.loaded.reload();
  }, [version]);

  const columns: Column<TenantResult>[] = [
    {
      title: 'Tenant',
      sortBy: 'tenant/displayName',
      cell: (item) => (
        <a href={hrefOf({ view: 'tenantResult', id: operationId, resultId: item.id })}>
          {item.tenant?.displayName ?? item.targetTenantId}
        </a>
      ),
    },
    {
      title: 'Outcome',
      sortBy: 'isSuccess',
      cell: (item) => {
        const value = outcomeOf(item);
        return <span class={`badge badge-${value}`}>{OUTCOME_LABELS[value]}</span>;
      },
    },
    { title: 'Rows', cell: (item) => tenantFigures(item.executionInfo).rows ?? '' },
    { title: 'Duration', cell: (item) => tenantFigures(item.executionInfo).duration ?? '' },
    {
      title: 'Exception',
      sortBy: 'exception',
      cell: (item) => <span class="exception">{item.exception ?? ''}</span>,
    },
  ];
  return (
    <Section title="Tenants">
      <FilterForm label="Filter tenants">
        <ChoiceField
          label="Outcome"
          value={outcome}
          onChange={setOutcome}
          choices={Object.entries(OUTCOME_LABELS) as Array<[Outcome, string]>}
        />
        <SearchField label="Tenant name" value={search} onChange={setSearch} />
      </FilterForm>
      <PagedTable
        label="Tenants"
        columns={columns}
        paged={paged}
        rowKey={(item) => item.id}
        sort={sort}
        onSort={setSort}
        empty="No tenant result yet."
      />
    </Section>
  );
}
