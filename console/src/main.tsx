import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api/client';
import { ApiContext } from './components/context';
import { hrefOf, parseRoute, Route } from './logic/routes';
import { endSession, restoreSession, SessionToken, sessionToken, startSession } from './session';
import { readSettings } from './settings';
import { AuditView } from './views/audit';
import { CompareView } from './views/compare';
import { GroupsView, GroupView } from './views/groups';
import { OperationView } from './views/operation';
import { OperationForm } from './views/operation-form';
import { OperationsView } from './views/operations';
import { SignIn } from './views/sign-in';
import { TenantResultView } from './views/tenant-result';
import { TenantsView } from './views/tenants';
import './styles.css';

const settings = readSettings();

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

const NAVIGATION: ReadonlyArray<{ label: string; route: Route; views: Route['view'][] }> = [
  {
    label: 'Operations',
    route: { view: 'operations' },
    views: ['operations', 'newOperation', 'editOperation', 'operation', 'tenantResult', 'compare'],
  },
  { label: 'Tenants', route: { view: 'tenants' }, views: ['tenants'] },
  { label: 'Groups', route: { view: 'groups' }, views: ['groups', 'group'] },
  { label: 'Audit log', route: { view: 'audit' }, views: ['audit'] },
];

function Page({ route }: { route: Route }) {
  switch (route.view) {
    case 'operations':
      return <OperationsView />;
    case 'newOperation':
      return <OperationForm />;
    case 'editOperation':
      return <OperationForm id={route.id} />;
    case 'operation':
      return <OperationView id={route.id} tab={route.tab} runNumber={route.run} />;
    case 'tenantResult':
      return <TenantResultView id={route.id} resultId={route.resultId} />;
    case 'compare':
      return <CompareView id={route.id} base={route.base} run={route.run} />;
    case 'tenants':
      return <TenantsView />;
    case 'groups':
      return <GroupsView />;
    case 'group':
      return <GroupView id={route.id} />;
    case 'audit':
      return <AuditView />;
  }
}

function Console() {
  const [session, setSession] = useState<SessionToken | undefined>(() => restoreSession());
  const route = useRoute();
  const api = useMemo(
    () =>
      new ApiClient(settings.apiBase, sessionToken, () => {
        endSession();
        setSession(undefined);
      }),
    [],
  );

  useEffect(() => {
    if (session || !settings.entra) return;
    // Back from Microsoft's sign-in page: MSAL has the code to redeem.
    void import('./entra-sign-in').then(async ({ completeEntraSignIn }) => {
      const token = await completeEntraSignIn(settings.entra!);
      if (token) setSession(startSession(token));
    });
  }, [session]);

  if (!session)
    return <SignIn settings={settings} onToken={(token) => setSession(startSession(token))} />;
  return (
    <ApiContext.Provider value={api}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Managed tenant operations</span>
        <nav aria-label="Main">
          {NAVIGATION.map((item) => (
            <a
              key={item.label}
              href={hrefOf(item.route)}
              aria-current={item.views.includes(route.view) ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span
          class="who"
          title={`Tenant ${session.tenantId ?? '?'}, user ${session.userId ?? '?'}`}
        >
          Partner {session.tenantId?.slice(0, 8) ?? 'unknown'}
        </span>
        <button
          type="button"
          onClick={() => {
            endSession();
            setSession(undefined);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </ApiContext.Provider>
  );
}

render(<Console />, document.getElementById('console')!);
