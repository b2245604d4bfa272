import { useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { messageOf } from '../components/hooks';
import {
  Column,
  FilterForm,
  PAGE_SIZE,
  PagedTable,
  Sort,
  usePagedCollection,
} from '../components/data-table';
import { ErrorMessage, Notice, SearchField, Section } from '../components/ui';
import { formatDateTime } from '../logic/dates';
import { allOf, containsText, orderBy, quote } from '../logic/odata';

export interface Tenant {
  id: string;
  displayName: string;
  tags?: string[];
  contract?: { contractType?: string; defaultDomainName?: string } | null;
  tenantStatusInformation?: { delegatedPrivilegeStatus?: string } | null;
  lastUpdatedDateTime?: string;
}

function TagEditor({ tenant, onSaved }: { tenant: Tenant; onSaved: () => void }) {
  const api = useApi();
  const [text, setText] = useState((tenant.tags ?? []).join(', '));
  const [error, setError] = useState<string>();
  return (
    <form
      class="inline"
      aria-label={`Tags of ${tenant.displayName}`}
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          const tags = text
            .split(',')
            .map((tag) => tag.trim())
            .filter(Boolean);
          await api.patch(`tenants/${encodeURIComponent(tenant.id)}`, { tags });
          setError(undefined);
          onSaved();
        } catch (failure) {
          setError(messageOf(failure));
        }
      }}
    >
      <label>
        <span class="visually-hidden">Tags of {tenant.displayName}</span>
        <input value={text} onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      <button type="submit">Save tags</button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** The partner's customers, from its contracts: names, tags, refresh. */
export function TenantsView() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<Sort>({ by: 'displayName', descending: false });
  const [token, setToken] = useState('');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const paged = usePagedCollection<Tenant>(
    () =>
      api.page('tenants', {
        $filter: allOf(
          containsText('displayName', search),
          tag.trim() && `tags/any(t: t eq ${quote(tag.trim())})`,
        ),
        $orderby: `${orderBy(sort.by, sort.descending)},id`,
        $top: PAGE_SIZE,
        $count: true,
      }),
    [search, tag, sort.by, sort.descending],
  );
  const refresh = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post('tenants/refresh', { credentials: { dapAccessToken: token } });
      setNotice('Refreshing the tenants from your contracts; they appear here in a moment.');
      setTimeout(() => paged.loaded.reload(), 1500);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const columns: Column<Tenant>[] = [
    { title: 'Name', sortBy: 'displayName', cell: (item) => item.displayName },
    { title: 'Domain', cell: (item) => item.contract?.defaultDomainName ?? '' },
    { title: 'Contract', cell: (item) => item.contract?.contractType ?? '' },
    {
      title: 'Delegated access',
      cell: (item) => item.tenantStatusInformation?.delegatedPrivilegeStatus ?? '',
    },
    {
      title: 'Tags',
      cell: (item) => <TagEditor tenant={item} onSaved={() => paged.loaded.reload()} />,
    },
    {
      title: 'Updated',
      sortBy: 'lastUpdatedDateTime',
      cell: (item) => formatDateTime(item.lastUpdatedDateTime),
    },
  ];
  return (
    <Section title="Tenants">
      <form class="filters" aria-label="Refresh tenants" onSubmit={refresh}>
        <label>
          Partner access token (GDAP)
          <input
            type="password"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
            required
            autocomplete="off"
          />
        </label>
        <button type="submit">Refresh from contracts</button>
      </form>
      <Notice text={notice} />
      <ErrorMessage error={error} />
      <FilterForm label="Find tenants">
        <SearchField label="Search by name" value={search} onChange={setSearch} />
        <label>
          Tag
          <input value={tag} onInput={(event) => setTag(event.currentTarget.value)} />
        </label>
      </FilterForm>
      <PagedTable
        label="Tenant directory"
        columns={columns}
        paged={paged}
        rowKey={(item) => item.id}
        sort={sort}
        onSort={setSort}
        empty="No tenant yet: refresh from your contracts, or run an operation over all customers."
      />
    </Section>
  );
}
