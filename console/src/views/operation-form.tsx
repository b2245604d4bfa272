import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useApi } from '../components/context';
import { messageOf, useLoad } from '../components/hooks';
import { TenantPicker } from '../components/tenant-picker';
import { ErrorMessage, Section } from '../components/ui';
import { changedProperties } from '../logic/changes';
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

/** What the form edits, as it is sent: the same shape for the loaded operation and the edit. */
interface FormValues {
  readonly name: string;
  readonly description: string;
  readonly statements: string;
  readonly logLevel: string;
  readonly failOnFirstError: boolean;
  readonly allTenants: boolean;
  readonly tenantIds: string[];
  readonly groupIds: string[];
  readonly excluded: string[];
  readonly aggregation: string;
}

function bodyOf(values: FormValues): Record<string, unknown> {
  return {
    name: values.name,
    description: values.description,
    target: {
      allTenants: values.allTenants,
      tenantIds: values.allTenants ? [] : values.tenantIds,
      tenantGroupIds: values.groupIds,
      excludedTenantIds: values.excluded,
    },
    operationDefinition: {
      value: normalizeStatements(values.statements),
      logLevel: values.logLevel,
      failOnFirstError: values.failOnFirstError,
    },
    aggregationDefinition: { value: values.aggregation.trim() },
  };
}

/** A new operation's form: every customer, a summary of the calls. */
const NEW_OPERATION: FormValues = {
  name: '',
  description: '',
  statements: '',
  logLevel: 'summary',
  failOnFirstError: false,
  allTenants: true,
  tenantIds: [],
  groupIds: [],
  excluded: [],
  aggregation: '',
};

/** The form's values of a loaded operation. */
function valuesOf(operation: OperationEntity): FormValues {
  return {
    name: operation.name,
    description: operation.description ?? '',
    statements: operation.operationDefinition?.value ?? '',
    logLevel: operation.operationDefinition?.logLevel ?? 'summary',
    failOnFirstError: !!operation.operationDefinition?.failOnFirstError,
    allTenants: !!operation.target?.allTenants,
    tenantIds: operation.target?.tenantIds ?? [],
    groupIds: operation.target?.tenantGroupIds ?? [],
    excluded: operation.target?.excludedTenantIds ?? [],
    aggregation: operation.aggregationDefinition?.value ?? '',
  };
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
  const [values, setValues] = useState<FormValues>(NEW_OPERATION);
  const set = <Key extends keyof FormValues>(key: Key, value: FormValues[Key]) =>
    setValues((current) => ({ ...current, [key]: value }));
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
    if (operation) setValues(valuesOf(operation));
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
    const sent = bodyOf(values);
    const body = {
      // An edit sends only what differs from the operation as it loaded.
      ...(existing.data ? changedProperties(bodyOf(valuesOf(existing.data)), sent) : sent),
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
    set(
      'groupIds',
      on ? [...values.groupIds, groupId] : values.groupIds.filter((other) => other !== groupId),
    );

  // An edit shows its form once the operation is in it: what someone typed before it loaded
  // would otherwise be overwritten by what loaded.
  if (id && !existing.data) {
    return (
      <Section title="Edit operation">
        <ErrorMessage error={existing.error} />
        {!existing.error && <p aria-busy="true">Loading…</p>}
      </Section>
    );
  }

  return (
    <Section title={id ? `Edit ${existing.data?.name ?? 'operation'}` : 'New operation'}>
      <ErrorMessage error={existing.error} />
      <form class="form" onSubmit={submit} aria-label={id ? 'Edit operation' : 'New operation'}>
        <label>
          Name
          <input
            value={values.name}
            onInput={(event) => set('name', event.currentTarget.value)}
            required
            maxLength={256}
          />
        </label>
        <label>
          Description
          <input
            value={values.description}
            onInput={(event) => set('description', event.currentTarget.value)}
            maxLength={4096}
          />
        </label>
        <label>
          Statements (one Graph request per line)
          <textarea
            ref={statementsBox}
            value={values.statements}
            onInput={(event) => set('statements', event.currentTarget.value)}
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
            <select
              value={values.logLevel}
              onChange={(event) => set('logLevel', event.currentTarget.value)}
            >
              <option value="none">none</option>
              <option value="summary">summary</option>
              <option value="full">full (headers and bodies)</option>
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={values.failOnFirstError}
              onChange={(event) => set('failOnFirstError', event.currentTarget.checked)}
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
              checked={values.allTenants}
              onChange={() => set('allTenants', true)}
            />
            All customers
          </label>
          <label class="check">
            <input
              type="radio"
              name="target"
              checked={!values.allTenants}
              onChange={() => set('allTenants', false)}
            />
            Tenants and groups I choose
          </label>
          {!values.allTenants && (
            <TenantPicker
              label="Tenants"
              value={values.tenantIds}
              onChange={(ids) => set('tenantIds', ids)}
            />
          )}
          {!values.allTenants && (
            <fieldset>
              <legend>Groups</legend>
              {(groups.data ?? []).length === 0 && <p class="hint">No group yet (see Groups).</p>}
              {(groups.data ?? []).map((group) => (
                <label class="check" key={group.id}>
                  <input
                    type="checkbox"
                    checked={values.groupIds.includes(group.id)}
                    onChange={(event) => toggleGroup(group.id, event.currentTarget.checked)}
                  />
                  {group.displayName}
                </label>
              ))}
            </fieldset>
          )}
          <TenantPicker
            label="Excluded tenants"
            value={values.excluded}
            onChange={(ids) => set('excluded', ids)}
          />
        </fieldset>
        <label>
          Aggregation
          <input
            value={values.aggregation}
            onInput={(event) => set('aggregation', event.currentTarget.value)}
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
