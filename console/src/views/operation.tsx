import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../components/context';
import { messageOf, useLoad } from '../components/hooks';
import { ErrorMessage, Notice, StatusBadge } from '../components/ui';
import { actionsFor, progressOf, RunCounts } from '../logic/run-progress';
import { hrefOf, OPERATION_TABS, OperationTab } from '../logic/routes';
import { Schedule } from '../logic/schedule-form';
import { useDelta } from './live';
import { RunHistory } from './run-history';
import { RunRows } from './run-rows';
import { RunTenants } from './run-tenants';
import { ScheduleEditor } from './schedule-editor';

export interface OperationDetail {
  id: string;
  name: string;
  description?: string;
  status: string;
  result?: { executionInfo?: string | null; exception?: string | null };
  operationDefinition?: { value?: string; logLevel?: string };
  schedule?: Schedule | null;
  '@odata.etag'?: string;
}

export interface RunEntity extends RunCounts {
  trigger: string;
  tenantScope: string;
  startedDateTime?: string | null;
  finishedDateTime?: string | null;
  scheduledDateTime?: string | null;
}

const TAB_LABELS: Record<OperationTab, string> = {
  tenants: 'Tenants',
  rows: 'Rows',
  history: 'History',
  schedule: 'Schedule',
};

export function OperationView({
  id,
  tab,
  runNumber,
}: {
  id: string;
  tab: OperationTab;
  runNumber?: number;
}) {
  const api = useApi();
  const path = `managedTenantOperations/${encodeURIComponent(id)}`;
  const [operation, setOperation] = useState<OperationDetail>();
  const [latest, setLatest] = useState<RunEntity>();
  const [shown, setShown] = useState<RunEntity>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [resultsVersion, setResultsVersion] = useState(0);

  const loaded = useLoad(async () => {
    const [entity, runs] = await Promise.all([
      api.get<OperationDetail>(path, {
        $select: 'id,name,description,status,result,operationDefinition,schedule',
      }),
      api.page<RunEntity>(`${path}/runs`, { $top: 1 }),
    ]);
    const run = runNumber ? await api.get<RunEntity>(`${path}/runs/${runNumber}`) : runs.value[0];
    return { entity, latest: runs.value[0], run };
  }, [path, runNumber]);
  useEffect(() => {
    if (!loaded.data) return;
    setOperation(loaded.data.entity);
    setLatest(loaded.data.latest);
    setShown(loaded.data.run);
  }, [loaded.data]);

  const running = operation?.status === 'running';
  const pace = running ? 1000 : 4000;
  // Live: the runs that changed (counts every second while one goes), the operation's status,
  // and that results were written; each from a delta query of the API.
  useDelta<RunEntity>(
    `${path}/runs/delta`,
    (runs) => {
      const newest = runs.reduce<RunEntity | undefined>(
        (best, run) => (!best || run.runNumber > best.runNumber ? run : best),
        undefined,
      );
      if (newest && (!latest || newest.runNumber >= latest.runNumber)) setLatest(newest);
      const mine = runs.find((run) => run.runNumber === (runNumber ?? newest?.runNumber));
      if (mine) setShown(mine);
      else if (!runNumber && newest) setShown(newest);
    },
    pace,
  );
  useDelta<OperationDetail>(
    'managedTenantOperations/delta?$select=status,result,schedule',
    (items) => {
      const mine = items.find((item) => item.id === id);
      if (mine) setOperation((current) => (current ? { ...current, ...mine } : current));
    },
    pace,
  );
  useDelta(
    `${path}/results/delta?$select=isSuccess`,
    () => setResultsVersion((version) => version + 1),
    pace,
  );

  const act = async (action: 'run' | 'cancel', message: string) => {
    setError(undefined);
    try {
      await api.post(`${path}/${action}`);
      setNotice(message);
      if (action === 'run') {
        setOperation((current) => current && { ...current, status: 'running' });
        location.hash = hrefOf({ view: 'operation', id, tab: 'tenants' });
      }
      loaded.reload();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the operation ${operation?.name ?? ''} with its runs and results?`))
      return;
    try {
      await api.delete(path);
      location.hash = hrefOf({ view: 'operations' });
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  if (loaded.error && !operation) return <ErrorMessage error={loaded.error} />;
  if (!operation) return <p aria-busy="true">Loading…</p>;
  const lastFinished = latest && latest.status !== 'running' ? latest : undefined;
  const actions = actionsFor(operation.status, lastFinished);
  const progress = shown
    ? progressOf(shown, running ? operation.result?.executionInfo : undefined)
    : undefined;
  return (
    <div class="operation">
      <div class="section-head">
        <h1>{operation.name}</h1>
        <StatusBadge status={operation.status} />
      </div>
      {operation.description && <p>{operation.description}</p>}
      <div class="actions" role="group" aria-label="Actions">
        <button
          type="button"
          class="primary"
          disabled={!actions.run}
          onClick={() => act('run', 'The run has started.')}
        >
          Run
        </button>
        <button
          type="button"
          disabled={!actions.cancel}
          onClick={() => act('cancel', 'Cancelling: tenants not started will not start.')}
        >
          Cancel run
        </button>
        <button
          type="button"
          disabled={!actions.runFailedAgain}
          onClick={() => act('run', 'Running the tenants that did not succeed again.')}
        >
          Run failed tenants again
        </button>
        <a class="button" href={hrefOf({ view: 'editOperation', id })}>
          Edit
        </a>
        <button type="button" class="danger" disabled={running} onClick={remove}>
          Delete
        </button>
      </div>
      <Notice text={notice} />
      <ErrorMessage error={error} />
      {operation.result?.exception && <p class="error">{operation.result.exception}</p>}
      {shown && progress && (
        <section class="progress" aria-label="Run progress">
          <h2>
            Run {shown.runNumber} <StatusBadge status={shown.status} />
          </h2>
          <div
            role="progressbar"
            aria-label={`Run ${shown.runNumber} progress`}
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.done}
            aria-valuetext={`${progress.done} of ${progress.total} tenants done`}
            class="bar"
          >
            <div class="bar-fill" style={{ width: `${progress.percent}%` }} />
          </div>
          <dl class="counts">
            <div>
              <dt>Succeeded</dt>
              <dd data-count="succeeded">{progress.succeeded}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd data-count="failed">{progress.failed}</dd>
            </div>
            <div>
              <dt>Not run</dt>
              <dd data-count="notRun">{progress.notRun}</dd>
            </div>
            <div>
              <dt>Pending</dt>
              <dd data-count="pending">{progress.pending}</dd>
            </div>
            <div>
              <dt>Calls</dt>
              <dd data-count="calls">{progress.calls}</dd>
            </div>
            <div>
              <dt>Retries</dt>
              <dd data-count="retries">{progress.retries}</dd>
            </div>
          </dl>
          {shown.executionInfo && <p class="hint">{shown.executionInfo}</p>}
        </section>
      )}
      {!shown && <p>This operation has not run yet: press Run.</p>}
      <nav class="tabs" aria-label="Operation views">
        {OPERATION_TABS.map((name) => (
          <a
            key={name}
            href={hrefOf({ view: 'operation', id, tab: name, run: runNumber })}
            aria-current={name === tab ? 'page' : undefined}
          >
            {TAB_LABELS[name]}
          </a>
        ))}
      </nav>
      {tab === 'tenants' && shown && (
        <RunTenants operationId={id} run={shown} version={resultsVersion} />
      )}
      {tab === 'rows' && shown && (
        <RunRows
          operationId={id}
          operationName={operation.name}
          run={shown}
          version={resultsVersion}
        />
      )}
      {tab === 'history' && (
        <RunHistory
          operationId={id}
          version={latest ? `${latest.runNumber}:${latest.status}` : ''}
        />
      )}
      {tab === 'schedule' && (
        <ScheduleEditor
          operationId={id}
          schedule={operation.schedule ?? null}
          onSaved={(schedule) => setOperation({ ...operation, schedule })}
        />
      )}
    </div>
  );
}
