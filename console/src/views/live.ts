import { useEffect, useRef } from 'preact/hooks';
import { ApiClient, Page } from '../api/client';
import { useApi } from '../components/context';
import { useInterval } from '../components/hooks';

/**
 * Follows a delta query of the API: starts at "now" (`$deltatoken=latest`), then asks the
 * deltaLink every `ms` for what changed since, and hands the changed items to `onChanges`. It
 * reads only what changed, never the whole collection again.
 */
export function useDelta<T>(
  path: string | undefined,
  onChanges: (items: T[]) => void,
  ms: number,
): void {
  const api = useApi();
  const link = useRef<string | undefined>(undefined);
  const busy = useRef(false);
  const latest = useRef(onChanges);
  latest.current = onChanges;
  useEffect(() => {
    link.current = undefined;
    if (!path) return;
    let live = true;
    void startDelta(api, path).then(
      (start) => {
        if (live) link.current = start;
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, path]);
  useInterval(() => {
    if (!link.current || busy.current) return;
    busy.current = true;
    void drain<T>(api, link.current)
      .then(({ items, deltaLink }) => {
        link.current = deltaLink;
        if (items.length) latest.current(items);
      })
      .catch(() => {
        // A delta token the service no longer has (410): start again from now.
        if (path)
          void startDelta(api, path).then(
            (start) => (link.current = start),
            () => undefined,
          );
      })
      .finally(() => (busy.current = false));
  }, ms);
}

async function startDelta(api: ApiClient, path: string): Promise<string | undefined> {
  const separator = path.includes('?') ? '&' : '?';
  const page = await api.follow(`${api.apiBase}/${path}${separator}$deltatoken=latest`);
  return page.deltaLink;
}

/** Every page of one round of changes, up to its deltaLink. */
async function drain<T>(api: ApiClient, link: string): Promise<{ items: T[]; deltaLink: string }> {
  const items: T[] = [];
  let next: string | undefined = link;
  for (;;) {
    const page: Page<T> = await api.follow<T>(next);
    items.push(...page.value);
    if (page.deltaLink) return { items, deltaLink: page.deltaLink };
    next = page.nextLink;
    if (!next) return { items, deltaLink: link };
  }
}
