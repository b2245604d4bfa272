import { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Page } from '../api/client';
import { useApi } from './context';
import { Loaded, useLoad } from './hooks';
import { ErrorMessage } from './ui';

export interface Column<T> {
  readonly title: string;
  readonly cell: (item: T) => ComponentChildren;
  /** The property $orderby takes, when the server can sort by this column. */
  readonly sortBy?: string;
}

export interface Sort {
  readonly by: string;
  readonly descending: boolean;
}

export const PAGE_SIZE = 50;

/**
 * A page of a collection the server pages: `first` loads the first page (with its count), the
 * pager follows @odata.nextLink and keeps the links it came by for "Previous". Nothing loads
 * more than one page at a time.
 */
export function usePagedCollection<T>(first: () => Promise<Page<T>>, keys: readonly unknown[]) {
  const api = useApi();
  // The links followed so far, for the query they were followed in: a new filter or sort starts
  // at the first page again.
  const signature = JSON.stringify(keys);
  const [followed, setFollowed] = useState<{ signature: string; links: string[] }>({
    signature,
    links: [],
  });
  const links = followed.signature === signature ? followed.links : [];
  const [count, setCount] = useState<number | undefined>();
  const loaded = useLoad(async () => {
    const link = links[links.length - 1];
    const page = link
      ? await api.follow<T>(link, { prefer: `odata.maxpagesize=${PAGE_SIZE}` })
      : await first();
    if (!link) setCount(page.count);
    return page;
  }, [signature, links.join(' ')]);
  const nextLink = loaded.data?.nextLink;
  return {
    loaded,
    count,
    pageNumber: links.length + 1,
    next: nextLink ? () => setFollowed({ signature, links: [...links, nextLink] }) : undefined,
    previous: links.length
      ? () => setFollowed({ signature, links: links.slice(0, -1) })
      : undefined,
  };
}

export function DataTable<T>({
  label,
  columns,
  loaded,
  rowKey,
  sort,
  onSort,
  empty = 'Nothing here yet.',
}: {
  label: string;
  columns: ReadonlyArray<Column<T>>;
  loaded: Loaded<Page<T>>;
  rowKey: (item: T) => string;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
  empty?: string;
}) {
  const items = loaded.data?.value ?? [];
  return (
    <div class="table-wrap">
      <ErrorMessage error={loaded.error} />
      <table aria-label={label} aria-busy={loaded.loading ? 'true' : 'false'}>
        <thead>
          <tr>
            {columns.map((column) => {
              const sorted = sort && column.sortBy === sort.by;
              return (
                <th
                  scope="col"
                  key={column.title}
                  aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {column.sortBy && onSort ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() =>
                        onSort({
                          by: column.sortBy!,
                          descending: sorted ? !sort.descending : false,
                        })
                      }
                    >
                      {column.title}
                      <span aria-hidden="true">
                        {sorted ? (sort.descending ? ' ▼' : ' ▲') : ''}
                      </span>
                    </button>
                  ) : (
                    column.title
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={rowKey(item)}>
              {columns.map((column) => (
                <td key={column.title} data-label={column.title}>
                  {column.cell(item)}
                </td>
              ))}
            </tr>
          ))}
          {!loaded.loading && items.length === 0 && (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** What the pager needs of a paged collection (usePagedCollection gives it). */
export interface PagePosition {
  readonly pageNumber: number;
  readonly count?: number;
  readonly next?: () => void;
  readonly previous?: () => void;
}

export function Pager({ label, paged }: { label: string; paged: PagePosition }) {
  const { pageNumber, count, next, previous } = paged;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={previous} disabled={!previous}>
        Previous page
      </button>
      <span>
        Page {pageNumber}
        {count !== undefined ? ` · ${count.toLocaleString()} in all` : ''}
      </span>
      <button type="button" onClick={next} disabled={!next}>
        Next page
      </button>
    </nav>
  );
}

/**
 * A form of filters above a table: each field filters as it changes (there is nothing to submit),
 * and assistive technology announces it as a search.
 */
export function FilterForm({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <form
      class="filters"
      role="search"
      aria-label={label}
      onSubmit={(event) => event.preventDefault()}
    >
      {children}
    </form>
  );
}

/** A collection the server pages, one page at a time: its table and, under it, its pager. */
export function PagedTable<T>({
  paged,
  ...table
}: {
  label: string;
  columns: ReadonlyArray<Column<T>>;
  paged: PagePosition & { loaded: Loaded<Page<T>> };
  rowKey: (item: T) => string;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
  empty?: string;
}) {
  return (
    <>
      <DataTable {...table} loaded={paged.loaded} />
      <Pager label={table.label} paged={paged} />
    </>
  );
}
