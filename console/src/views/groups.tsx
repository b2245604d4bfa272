import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { messageOf, useLoad } from '../components/hooks';
import { Column, PAGE_SIZE, PagedTable, usePagedCollection } from '../components/data-table';
import { TenantPicker } from '../components/tenant-picker';
import { ErrorMessage, Notice, Section } from '../components/ui';
import { hrefOf } from '../logic/routes';
import { Tenant } from './tenants';

interface TenantGroup {
  id: string;
  displayName: string;
  allTenantsIncluded?: boolean;
  tenantIds?: string[];
  membershipRule?: string | null;
}

export function GroupsView() {
  const api = useApi();
  const paged = usePagedCollection<TenantGroup>(
    () => api.page('tenantGroups', { $orderby: 'displayName,id', $top: PAGE_SIZE, $count: true }),
    [],
  );
  const columns: Column<TenantGroup>[] = [
    {
      title: 'Name',
      cell: (item) => <a href={hrefOf({ view: 'group', id: item.id })}>{item.displayName}</a>,
    },
    {
      title: 'Members',
      cell: (item) =>
        item.allTenantsIncluded
          ? 'Every customer'
          : [
              item.tenantIds?.length ? `${item.tenantIds.length} by name` : '',
              item.membershipRule ? `rule: ${item.membershipRule}` : '',
            ]
              .filter(Boolean)
              .join('; '),
    },
  ];
  return (
    <Section
      title="Groups"
      actions={
        <a class="button primary" href={hrefOf({ view: 'group', id: 'new' })}>
          New group
        </a>
      }
    >
      <PagedTable
        label="Groups"
        columns={columns}
        paged={paged}
        rowKey={(item) => item.id}
        empty="No group yet."
      />
    </Section>
  );
}

/** A group: static members, a rule over the directory, or everyone; and the members it holds now. */
export function GroupView({ id }: { id: string }) {
  const api = useApi();
  const isNew = id === 'new';
  const existing = useLoad(
    async () =>
      isNew ? undefined : api.get<TenantGroup>(`tenantGroups/${encodeURIComponent(id)}`),
    [id],
  );
  const [displayName, setDisplayName] = useState('');
  const [everyone, setEveryone] = useState(false);
  const [tenantIds, setTenantIds] = useState<string[]>([]);
  const [rule, setRule] = useState('');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const group = existing.data;
    if (!group) return;
    setDisplayName(group.displayName);
    setEveryone(!!group.allTenantsIncluded);
    setTenantIds(group.tenantIds ?? []);
    setRule(group.membershipRule ?? '');
  }, [existing.data]);
  const members = usePagedCollection<Tenant>(
    async () =>
      isNew
        ? { value: [] }
        : api.page(`tenantGroups/${encodeURIComponent(id)}/members`, {
            $select: 'id,displayName,tags',
            $orderby: 'displayName,id',
            $top: PAGE_SIZE,
            $count: true,
          }),
    [id, version],
  );
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const body = {
      displayName,
      allTenantsIncluded: everyone,
      tenantIds,
      membershipRule: rule.trim() || null,
    };
    try {
      if (isNew) {
        const created = await api.post<TenantGroup>('tenantGroups', body);
        location.hash = hrefOf({ view: 'group', id: created.id });
      } else {
        await api.patch(`tenantGroups/${encodeURIComponent(id)}`, body);
        setNotice('Group saved.');
        setVersion(version + 1);
      }
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the group ${displayName}?`)) return;
    try {
      await api.delete(`tenantGroups/${encodeURIComponent(id)}`);
      location.hash = hrefOf({ view: 'groups' });
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <div>
      <p>
        <a href={hrefOf({ view: 'groups' })}>Back to the groups</a>
      </p>
      <Section title={isNew ? 'New group' : displayName || 'Group'}>
        <ErrorMessage error={existing.error} />
        <form class="form" aria-label="Group" onSubmit={save}>
          <label>
            Name
            <input
              value={displayName}
              onInput={(event) => setDisplayName(event.currentTarget.value)}
              required
              maxLength={256}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={everyone}
              onChange={(event) => setEveryone(event.currentTarget.checked)}
            />
            Every customer
          </label>
          <TenantPicker label="Members by name" value={tenantIds} onChange={setTenantIds} />
          <label>
            Membership rule (a filter over the tenants)
            <input
              value={rule}
              onInput={(event) => setRule(event.currentTarget.value)}
              class="code"
              placeholder="tags/any(t: t eq 'gold')"
            />
          </label>
          <ErrorMessage error={error} />
          <Notice text={notice} />
          <div class="actions">
            <button type="submit" class="primary">
              {isNew ? 'Create group' : 'Save group'}
            </button>
            {!isNew && (
              <button type="button" class="danger" onClick={remove}>
                Delete group
              </button>
            )}
          </div>
        </form>
      </Section>
      {!isNew && (
        <Section title="Members now">
          <PagedTable
            label="Members"
            columns={[
              { title: 'Name', cell: (item: Tenant) => item.displayName },
              { title: 'Tags', cell: (item: Tenant) => (item.tags ?? []).join(', ') },
            ]}
            paged={members}
            rowKey={(item) => item.id}
            empty="No member."
          />
        </Section>
      )}
    </div>
  );
}
