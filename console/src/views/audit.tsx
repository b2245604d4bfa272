import { useState } from 'preact/hooks';
import { useApi } from '../components/context';
import {
  Column,
  FilterForm,
  PAGE_SIZE,
  PagedTable,
  usePagedCollection,
} from '../components/data-table';
import { SearchField, Section } from '../components/ui';
import { formatDateTime } from '../logic/dates';
import { allOf, containsText, quote } from '../logic/odata';

interface AuditEvent {
  id: string;
  activity: string;
  activityDateTime: string;
  category?: string;
  httpVerb?: string;
  initiatedByUpn?: string | null;
  initiatedByUserId?: string | null;
  initiatedByAppId?: string | null;
  requestUrl?: string | null;
  tenantNames?: string | null;
}

/** A local date (from a date input) as the instant its day starts in the browser's time zone. */
function startOfDay(date: string, offsetDays = 0): string | undefined {
  if (!date) return undefined;
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year, month - 1, day + offsetDays).toISOString();
}

/** Who did what, when: the partner's audit log with filters by activity, user and date. */
export function AuditView() {
  const api = useApi();
  const [activity, setActivity] = useState('');
  const [user, setUser] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const since = startOfDay(from);
  const until = startOfDay(to, 1);
  const paged = usePagedCollection<AuditEvent>(
    () =>
      api.page('auditEvents', {
        $filter: allOf(
          containsText('activity', activity),
          user.trim() &&
            `(${containsText('initiatedByUpn', user)} or initiatedByUserId eq ${quote(user.trim())})`,
          since && `activityDateTime ge ${since}`,
          until && `activityDateTime lt ${until}`,
        ),
        $orderby: 'activityDateTime desc,id',
        $top: PAGE_SIZE,
        $count: true,
      }),
    [activity, user, since, until],
  );
  const columns: Column<AuditEvent>[] = [
    { title: 'When', cell: (item) => formatDateTime(item.activityDateTime) },
    { title: 'Activity', cell: (item) => item.activity },
    {
      title: 'Who',
      cell: (item) => item.initiatedByUpn ?? item.initiatedByUserId ?? item.initiatedByAppId ?? '',
    },
    {
      title: 'Request',
      cell: (item) => <span class="code">{`${item.httpVerb ?? ''} ${item.requestUrl ?? ''}`}</span>,
    },
    { title: 'Tenants', cell: (item) => item.tenantNames ?? '' },
  ];
  return (
    <Section title="Audit log">
      <FilterForm label="Filter the audit log">
        <SearchField
          label="Activity"
          value={activity}
          onChange={setActivity}
          placeholder="managedTenantOperations.run"
        />
        <SearchField label="User" value={user} onChange={setUser} />
        <SearchField label="From" type="date" value={from} onChange={setFrom} />
        <SearchField label="To" type="date" value={to} onChange={setTo} />
      </FilterForm>
      <PagedTable
        label="Audit events"
        columns={columns}
        paged={paged}
        rowKey={(item) => item.id}
        empty="No event matches."
      />
    </Section>
  );
}
