/** The console's places, in the URL's fragment (`#/operations/…`): ids only, never a token. */

export type Route =
  | { view: 'operations' }
  | { view: 'newOperation' }
  | { view: 'editOperation'; id: string }
  | { view: 'operation'; id: string; tab: OperationTab; run?: number }
  | { view: 'tenantResult'; id: string; resultId: string }
  | { view: 'compare'; id: string; base?: number; run?: number }
  | { view: 'tenants' }
  | { view: 'groups' }
  | { view: 'group'; id: string }
  | { view: 'audit' };

export const OPERATION_TABS = ['tenants', 'rows', 'history', 'schedule'] as const;
export type OperationTab = (typeof OPERATION_TABS)[number];

function positive(text: string | null): number | undefined {
  const value = Number(text);
  return text && Number.isInteger(value) && value > 0 ? value : undefined;
}

export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(search);
  const [first, id, second, third] = parts;
  if (first === 'operations' && id === 'new') return { view: 'newOperation' };
  if (first === 'operations' && id) {
    if (second === 'edit') return { view: 'editOperation', id };
    if (second === 'results' && third) return { view: 'tenantResult', id, resultId: third };
    if (second === 'compare')
      return {
        view: 'compare',
        id,
        base: positive(params.get('base')),
        run: positive(params.get('run')),
      };
    const tab = (OPERATION_TABS as readonly string[]).includes(second)
      ? (second as OperationTab)
      : 'tenants';
    return { view: 'operation', id, tab, run: positive(params.get('run')) };
  }
  if (first === 'tenants') return { view: 'tenants' };
  if (first === 'groups') return id ? { view: 'group', id } : { view: 'groups' };
  if (first === 'audit') return { view: 'audit' };
  return { view: 'operations' };
}

export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.view) {
    case 'operations':
      return '#/operations';
    case 'newOperation':
      return '#/operations/new';
    case 'editOperation':
      return `#/operations/${e(route.id)}/edit`;
    case 'operation':
      return `#/operations/${e(route.id)}/${route.tab}${route.run ? `?run=${route.run}` : ''}`;
    case 'tenantResult':
      return `#/operations/${e(route.id)}/results/${e(route.resultId)}`;
    case 'compare': {
      const query = route.base && route.run ? `?base=${route.base}&run=${route.run}` : '';
      return `#/operations/${e(route.id)}/compare${query}`;
    }
    case 'tenants':
      return '#/tenants';
    case 'groups':
      return '#/groups';
    case 'group':
      return `#/groups/${e(route.id)}`;
    case 'audit':
      return '#/audit';
  }
}
