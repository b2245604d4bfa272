import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useApi } from '../components/context';
import { messageOf, useLoad } from '../components/hooks';
import { TenantPicker } from '../components/tenant-picker';
import { ErrorMessage, Section } from '../components/ui';
import { hrefOf } from '../logic/routes';
import {
  normalizeStatements,
  offsetOf,
  statementErrorPosition,
  TextPosition,
} from '../logic/statements';

interface OperationEntity {
  id: string;
  name: string;
  description?: string;
  status?: string;
  target?: {
    allTenants?: boolean;
    tenantIds?: string[];
    tenantGroupIds?: string[];
    excludedTenantIds?: string[];
  };
  operationDefinition?: { value?: string; logLevel?: string; failOnFirstError?: boolean };
  aggregationDefinition?: { value?: string };
}

interface GroupName {
  id: string;
  displayName: string;
}

export function OperationForm({ id }: { id?: string }) {
  const api = useApi();
  const existing = useLoad(
    async () =>
      id
        ? await api.get<OperationEntity>(`managedTenantOperations/${encodeURIComponent(id)}`)
        : undefined,
    [id],
  );
  const groups = useLoad(
    async () =>
      (
        await api.page<GroupName>('tenantGroups', {
          $select: 'id,displayName',
          $orderby: 'displayName',
          $top: 200,
        })
      ).value,
    [],
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [statements, setStatements] = useState('');
  const [logLevel, setLogLevel] = useState('summary');
  const [failOnFirstError, setFailOnFirstError] = useState(false);
  const [allTenants, setAllTenants] = useState(true);
  const [tenantIds, setTenantIds] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [aggregation, setAggregation] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [error, setError] = useState<string>();
  const [statementError, setStatementError] = useState<{
    message: string;
    position: TextPosition;
  }>();
  const [saving, setSaving] = useState(false);
  const statementsBox = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const operation = existing.data;
    if (!operation) return;
    setName(operation.name);
    setDescription(operation.description ?? '');
    setStatements(operation.operationDefinition?.value ?? '');
    setLogLevel(operation.operationDefinition?.logLevel ?? 'summary');
    setFailOnFirstError(!!operation.operationDefinition?.failOnFirstError);
    setAllTenants(!!operation.target?.allTenants);
    setTenantIds(operation.target?.tenantIds ?? []);
    setGroupIds(operation.target?.tenantGroupIds ?? []);
    setExcluded(operation.target?.excludedTenantIds ?? []);
    setAggregation(operation.aggregationDefinition?.value ?? '');
  }, [existing.data]);

  useEffect(() => {
    const box = statementsBox.current;
    if (!statementError || !box) return;
    const offset = offsetOf(box.value, statementError.position);
    box.focus();
    box.setSelectionRange(offset, offset);
  }, [statementError]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    setStatementError(undefined);
    const body = {
      name,
      description,
      target: {
        allTenants,
        tenantIds: allTenants ? [] : tenantIds,
        tenantGroupIds: groupIds,
        excludedTenantIds: excluded,
      },
      operationDefinition: { value: normalizeStatements(statements), logLevel, failOnFirstError },
      aggregationDefinition: { value: aggregation.trim() },
      ...(accessToken && { credentials: { dapAccessToken: accessToken } }),
    };
    try {
      const saved = id
        ? await api.patch<OperationEntity>(
            `managedTenantOperations/${encodeURIComponent(id)}`,
            body,
          )
        : await api.post<OperationEntity>('managedTenantOperations', body);
      location.hash = hrefOf({ view: 'operation', id: saved?.id ?? id!, tab: 'tenants' });
    } catch (failure) {
      const position =
        failure instanceof ApiError ? statementErrorPosition(failure.message) : undefined;
      if (position) setStatementError({ message: (failure as ApiError).message, position });
      else setError(messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  const toggleGroup = (groupId: string, on: boolean) =>
    setGroupIds(on ? [...groupIds, groupId] : groupIds.filter((other) => other !== groupId));

  return (
    <Section title={id ? `Edit ${existing.data?.name ?? 'operation'}` : 'New operation'}>
      <ErrorMessage error={existing.error} />
      <form class="form" onSubmit={submit} aria-label={id ? 'Edit operation' : 'New operation'}>
        <label>
          Name
          <input
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
            required
            maxLength={256}
          />
        </label>
        <label>
          Description
          <input
            value={description}
            onInput={(event) => setDescription(event.currentTarget.value)}
            maxLength={4096}
          />
        </label>
        <label>
          Statements (one Graph request per line)
          <textarea
            ref={statementsBox}
            value={statements}
            onInput={(event) => setStatements(event.currentTarget.value)}
            rows={5}
            required
            spellcheck={false}
            class="code"
            aria-invalid={statementError ? 'true' : undefined}
            aria-describedby={statementError ? 'statement-error' : 'statement-hint'}
            placeholder="GET /v1.0/users?$select=displayName,userPrincipalName"
          />
        </label>
        {statementError ? (
          <p id="statement-error" class="error" role="alert">
            Line {statementError.position.line}, column {statementError.position.column}:{' '}
            {statementError.message}
          </p>
        ) : (
          <p id="statement-hint" class="hint">
            For example <code>GET /v1.0/users?$select=displayName</code> or{' '}
            <code>[ConsistencyLevel: eventual] GET /v1.0/users?$count=true</code>.
          </p>
        )}
        <div class="row">
          <label>
            Log level
            <select value={logLevel} onChange={(event) => setLogLevel(event.currentTarget.value)}>
              <option value="none">none</option>
              <option value="summary">summary</option>
              <option value="full">full (headers and bodies)</option>
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={failOnFirstError}
              onChange={(event) => setFailOnFirstError(event.currentTarget.checked)}
            />
            Stop at the first failed tenant
          </label>
        </div>
        <fieldset>
          <legend>Target</legend>
          <label class="check">
            <input
              type="radio"
              name="target"
              checked={allTenants}
              onChange={() => setAllTenants(true)}
            />
            All customers
          </label>
          <label class="check">
            <input
              type="radio"
              name="target"
              checked={!allTenants}
              onChange={() => setAllTenants(false)}
            />
            Tenants and groups I choose
          </label>
          {!allTenants && (
            <TenantPicker label="Tenants" value={tenantIds} onChange={setTenantIds} />
          )}
          {!allTenants && (
            <fieldset>
              <legend>Groups</legend>
              {(groups.data ?? []).length === 0 && <p class="hint">No group yet (see Groups).</p>}
              {(groups.data ?? []).map((group) => (
                <label class="check" key={group.id}>
                  <input
                    type="checkbox"
                    checked={groupIds.includes(group.id)}
                    onChange={(event) => toggleGroup(group.id, event.currentTarget.checked)}
                  />
                  {group.displayName}
                </label>
              ))}
            </fieldset>
          )}
          <TenantPicker label="Excluded tenants" value={excluded} onChange={setExcluded} />
        </fieldset>
        <label>
          Aggregation
          <input
            value={aggregation}
            onInput={(event) => setAggregation(event.currentTarget.value)}
            class="code"
            placeholder="@sys.append([/result], 1000)"
            aria-describedby="aggregation-hint"
          />
        </label>
        <p id="aggregation-hint" class="hint">
          Empty: every tenant's rows, at most 1,000 in all.
        </p>
        <label>
          Partner access token (GDAP){id ? ', leave empty to keep the one stored' : ''}
          <input
            type="password"
            value={accessToken}
            onInput={(event) => setAccessToken(event.currentTarget.value)}
            required={!id}
            autocomplete="off"
          />
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {id ? 'Save' : 'Create operation'}
          </button>
          <a
            class="button"
            href={
              id
                ? hrefOf({ view: 'operation', id, tab: 'tenants' })
                : hrefOf({ view: 'operations' })
            }
          >
            Cancel
          </a>
        </div>
      </form>
    </Section>
  );
}
