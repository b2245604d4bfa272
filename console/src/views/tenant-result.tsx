import { useApi } from '../components/context';
import { useLoad } from '../components/hooks';
import {
  Column,
  DataTable,
  PAGE_SIZE,
  PagedTable,
  usePagedCollection,
} from '../components/data-table';
import { ErrorMessage, Section } from '../components/ui';
import { formatDateTime } from '../logic/dates';
import { hrefOf } from '../logic/routes';
import { rowsTable } from '../logic/rows';
import { OUTCOME_LABELS, outcomeOf } from '../logic/tenant-result';
import { TenantResult } from './run-tenants';

interface HttpHeader {
  name?: string;
  value?: string;
}
interface HttpCall {
  id: string;
  attempt?: number;
  statusCode?: number;
  createdDateTime?: string;
  request?: { method?: string; url?: string; headers?: HttpHeader[]; body?: string | null };
  response?: { statusCode?: number; headers?: HttpHeader[]; body?: string | null };
}

/** One tenant's result in one run: its rows as a table and the HTTP calls made for it. */
export function TenantResultView({ id, resultId }: { id: string; resultId: string }) {
  const api = useApi();
  const result = useLoad(
    () =>
      api.get<TenantResult & { result?: string[]; runNumber?: number }>(
        `managedTenantOperationResults/${encodeURIComponent(resultId)}`,
        {
          $expand: 'tenant($select=displayName)',
        },
      ),
    [resultId],
  );
  const data = result.data;
  const calls = usePagedCollection<HttpCall>(
    async () =>
      data
        ? api.page(`managedTenantOperations/${encodeURIComponent(id)}/httpRequests`, {
            $filter: `targetTenantId eq ${data.targetTenantId}${data.runNumber ? ` and runNumber eq ${data.runNumber}` : ''}`,
            $orderby: 'createdDateTime,id',
            $top: PAGE_SIZE,
            $count: true,
          })
        : { value: [] },
    [id, data?.targetTenantId, data?.runNumber],
  );
  if (result.error) return <ErrorMessage error={result.error} />;
  if (!data) return <p aria-busy="true">Loading…</p>;
  const outcome = outcomeOf(data);
  const table = rowsTable([
    { tenant: data.tenant?.displayName ?? data.targetTenantId, rows: data.result ?? [] },
  ]);
  const rowColumns: Column<Record<string, string>>[] = table.columns
    .filter((name) => name !== 'Tenant')
    .map((name) => ({ title: name, cell: (row) => row[name] ?? '' }));
  const callColumns: Column<HttpCall>[] = [
    { title: 'Method', cell: (call) => call.request?.method ?? '' },
    { title: 'URL', cell: (call) => <span class="code">{call.request?.url ?? ''}</span> },
    { title: 'Status', cell: (call) => call.statusCode ?? call.response?.statusCode ?? '' },
    { title: 'Attempt', cell: (call) => call.attempt ?? '' },
    { title: 'When', cell: (call) => formatDateTime(call.createdDateTime) },
    {
      title: 'Details',
      cell: (call) =>
        call.request?.headers?.length || call.request?.body || call.response?.body ? (
          <details>
            <summary>Headers and bodies</summary>
            <h4>Request headers</h4>
            <pre>
              {(call.request?.headers ?? [])
                .map((header) => `${header.name}: ${header.value}`)
                .join('\n')}
            </pre>
            {call.request?.body && (
              <>
                <h4>Request body</h4>
                <pre>{call.request.body}</pre>
              </>
            )}
            <h4>Response headers</h4>
            <pre>
              {(call.response?.headers ?? [])
                .map((header) => `${header.name}: ${header.value}`)
                .join('\n')}
            </pre>
            {call.response?.body && (
              <>
                <h4>Response body</h4>
                <pre>{call.response.body}</pre>
              </>
            )}
          </details>
        ) : (
          'At log level full'
        ),
    },
  ];
  return (
    <div>
      <p>
        <a href={hrefOf({ view: 'operation', id, tab: 'tenants', run: data.runNumber })}>
          Back to the operation
        </a>
      </p>
      <h1>{data.tenant?.displayName ?? data.targetTenantId}</h1>
      <dl class="facts">
        <dt>Tenant id</dt>
        <dd class="code">{data.targetTenantId}</dd>
        <dt>Run</dt>
        <dd>{data.runNumber ?? ''}</dd>
        <dt>Outcome</dt>
        <dd>
          <span class={`badge badge-${outcome}`}>{OUTCOME_LABELS[outcome]}</span>
        </dd>
        <dt>Execution</dt>
        <dd>{data.executionInfo ?? ''}</dd>
        {data.exception && (
          <>
            <dt>Exception</dt>
            <dd class="exception">{data.exception}</dd>
          </>
        )}
      </dl>
      <Section title="Rows">
        <DataTable
          label="Tenant rows"
          columns={rowColumns}
          loaded={{
            ...result,
            data: { value: table.rows.map((row, index) => ({ ...row, __key: String(index) })) },
          }}
          rowKey={(row) => row.__key}
          empty="No rows."
        />
      </Section>
      <Section title="HTTP calls">
        <PagedTable
          label="HTTP calls"
          columns={callColumns}
          paged={calls}
          rowKey={(call) => call.id}
          empty="No call was logged (log level none)."
        />
      </Section>
    </div>
  );
}
