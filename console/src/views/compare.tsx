import { useState } from 'preact/hooks';
import { useApi } from '../components/context';
import {
  Column,
  FilterForm,
  PAGE_SIZE,
  PagedTable,
  usePagedCollection,
} from '../components/data-table';
import { ChoiceField, Section } from '../components/ui';
import { changeLabel, fieldChanges } from '../logic/compare';
import { quote } from '../logic/odata';
import { hrefOf } from '../logic/routes';

interface Difference {
  targetTenantId: string;
  tenantDisplayName?: string | null;
  changeType: string;
  rowKey?: string | null;
  row?: string | null;
  baseRow?: string | null;
  isSuccess?: boolean | null;
  baseIsSuccess?: boolean | null;
}

const CHANGE_TYPES = [
  'added',
  'removed',
  'changed',
  'tenantAdded',
  'tenantRemoved',
  'outcomeChanged',
];

function outcome(value: boolean | null | undefined): string {
  return value === true ? 'succeeded' : value === false ? 'failed' : 'none';
}

/** What changed from one run to another, tenant by tenant, the changed fields marked. */
export function CompareView({ id, base, run }: { id: string; base?: number; run?: number }) {
  const api = useApi();
  const [changeType, setChangeType] = useState('');
  const path = `managedTenantOperations/${encodeURIComponent(id)}/compareRuns${base && run ? `(baseRunNumber=${base},runNumber=${run})` : ''}`;
  const paged = usePagedCollection<Difference>(
    () =>
      api.page(path, {
        $filter: changeType ? `changeType eq ${quote(changeType)}` : undefined,
        $top: PAGE_SIZE,
        $count: true,
      }),
    [path, changeType],
  );
  const columns: Column<Difference>[] = [
    { title: 'Tenant', cell: (item) => item.tenantDisplayName ?? item.targetTenantId },
    {
      title: 'Change',
      cell: (item) => (
        <span class={`badge badge-${item.changeType}`}>{changeLabel(item.changeType)}</span>
      ),
    },
    {
      title: 'What changed',
      cell: (item) => {
        if (item.changeType === 'outcomeChanged')
          return `${outcome(item.baseIsSuccess)} → ${outcome(item.isSuccess)}`;
        if (item.changeType === 'tenantAdded' || item.changeType === 'tenantRemoved') return '';
        const fields = fieldChanges(item.baseRow, item.row);
        return (
          <dl class="fields">
            {fields.map((field) => (
              <div
                key={field.name}
                class={field.changed && item.changeType === 'changed' ? 'changed' : undefined}
              >
                <dt>{field.name}</dt>
                <dd>
                  {item.changeType === 'changed' && field.changed ? (
                    <>
                      <del>{field.before}</del> <ins>{field.after}</ins>
                      <span class="visually-hidden"> (changed)</span>
                    </>
                  ) : (
                    field.after || field.before
                  )}
                </dd>
              </div>
            ))}
          </dl>
        );
      },
    },
  ];
  return (
    <Section
      title={base && run ? `Run ${base} compared with run ${run}` : 'The last two runs compared'}
    >
      <p>
        <a href={hrefOf({ view: 'operation', id, tab: 'history' })}>Back to the history</a>
      </p>
      <FilterForm label="Filter differences">
        <ChoiceField
          label="Change"
          value={changeType}
          onChange={setChangeType}
          choices={CHANGE_TYPES.map((type) => [type, changeLabel(type)] as const)}
        />
      </FilterForm>
      <PagedTable
        label="Differences"
        columns={columns}
        paged={paged}
        rowKey={(item) => `${item.targetTenantId}:${item.changeType}:${item.rowKey ?? ''}`}
        empty="The two runs found the same."
      />
    </Section>
  );
}
