import { CheckedSearch, CollectionQuery } from './checked-query';
import { parseFilter, parseOrderBy, parseSelect } from './expression-parser';
import { ExpandItem, parseExpand } from './expand';
import { InvalidQueryError } from './invalid-query.error';
import { QueryChecker } from './query-checker';
import {
  parseBooleanOption,
  parseCount,
  parseQueryOptions,
  SERVED_OPTIONS,
  SystemOption,
} from './query-options';
import { parseSearch } from './search-parser';
import { PagePosition, queryIdentity, SkipTokenCodec } from './skip-token';
import { SearchExpression } from './syntax-tree';

/** Server-driven paging (OData Protocol 4.01 §11.2.6.7): Graph's default page and maximum $top. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

const COLLECTION_OPTIONS = new Set<SystemOption>([...SERVED_OPTIONS, 'expand']);
const COUNT_OPTIONS = new Set<SystemOption>(['filter', 'search']);
const ENTITY_OPTIONS = new Set<SystemOption>(['select', 'expand', 'format']);

/** A read of the collection, checked, with everything paging needs. */
export interface CollectionRequest {
  readonly query: CollectionQuery;
  /** Rows on this page at most. */
  readonly pageSize: number;
  /** Whether the page size came from `Prefer: odata.maxpagesize` (to echo it). */
  readonly pageSizePreferred: boolean;
  /** Where this page starts, from `$skiptoken`. */
  readonly position?: PagePosition;
  /** Rows still allowed by `$top` before this page. */
  readonly remaining?: number;
  /** The select list as written, for the context URL. */
  readonly selectText?: string;
  /** The options a nextLink repeats (`$skip` and `$skiptoken` excluded), as `$name=value` pairs. */
  readonly nextLinkOptions: ReadonlyArray<readonly [string, string]>;
  /** Binds skiptokens to this query. */
  readonly identity: string;
  /** `$format`, for content negotiation. */
  readonly format?: string;
  /** `$expand`, checked against the navigations' targets. */
  readonly expand?: readonly ExpandItem[];
}

/** The options of a read of one entity. */
export interface EntityReadOptions {
  readonly select?: CollectionQuery['select'];
  readonly selectText?: string;
  readonly format?: string;
  readonly expand?: readonly ExpandItem[];
}

/** How many first-page reads a reader remembers (see CollectionRequestReader.read). */
const REMEMBERED_READS = 256;

export class CollectionRequestReader {
  /** Checked first-page reads by scope, page size and query text, least recently used first. */
  private readonly remembered = new Map<string, CollectionRequest>();

  constructor(
    private readonly checker: QueryChecker,
    private readonly skipTokens: SkipTokenCodec,
  ) {}

  /**
   * Reads `GET {entitySet}?...` for a scope (the caller's tenant) with the Prefer header's page
   * size. A read depends on nothing but its arguments and the model (`now()` is evaluated by the
   * database), so first pages, which clients repeat, are parsed and checked once and remembered
   * (a bounded LRU; a failed read is not remembered). A page with a `$skiptoken` is read afresh:
   * each token is used about once.
   */
  read(rawQuery: string, scope: string, preferredPageSize?: number): CollectionRequest {
    if (rawQuery.includes('skiptoken')) return this.readNow(rawQuery, scope, preferredPageSize);
    const key = `${scope}\n${preferredPageSize ?? ''}\n${rawQuery}`;
    let read = this.remembered.get(key);
    if (read) {
      this.remembered.delete(key);
    } else {
      read = this.readNow(rawQuery, scope, preferredPageSize);
      if (this.remembered.size >= REMEMBERED_READS) {
        this.remembered.delete(this.remembered.keys().next().value!);
      }
    }
    this.remembered.set(key, read);
    return read;
  }

  private readNow(rawQuery: string, scope: string, preferredPageSize?: number): CollectionRequest {
    const options = parseQueryOptions(rawQuery, COLLECTION_OPTIONS).system;
    const filterText = options.get('filter');
    const orderByText = options.get('orderby');
    const searchText = options.get('search');
    const selectText = options.get('select');
    const top = options.has('top')
      ? parseCount('$top', options.get('top')!, MAX_PAGE_SIZE)
      : undefined;
    const skip = options.has('skip') ? parseCount('$skip', options.get('skip')!) : undefined;
    const count = options.has('count')
      ? parseBooleanOption('$count', options.get('count')!)
      : false;
    const select =
      selectText !== undefined ? this.checker.checkSelect(parseSelect(selectText)) : undefined;

    // The scope (the caller's tenant) is part of the identity: a skiptoken works for its tenant only.
    const identity = queryIdentity([scope, filterText, searchText, orderByText, top]);
    const skipToken = options.get('skiptoken');
    const position =
      skipToken !== undefined ? this.skipTokens.decode(skipToken, identity) : undefined;
    const orderBy =
      orderByText !== undefined
        ? this.checker.checkOrderBy(parseOrderBy(orderByText))
        : this.checker.defaultOrder();
    if (position && position.keys.length !== orderBy.length) {
      throw new InvalidQueryError(
        '$skiptoken',
        'the token is not one this service issued for this query',
      );
    }
    const pageSize = Math.min(preferredPageSize ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const remaining = position ? position.remaining : top;

    return {
      query: {
        filter:
          filterText !== undefined ? this.checker.checkFilter(parseFilter(filterText)) : undefined,
        search: searchText !== undefined ? toCheckedSearch(parseSearch(searchText)) : undefined,
        orderBy,
        select,
        top,
        skip: position ? undefined : skip,
        count,
      },
      pageSize,
      pageSizePreferred: preferredPageSize !== undefined,
      position,
      remaining,
      selectText: select ? selectText : undefined,
      nextLinkOptions: [...options]
        .filter(([name]) => name !== 'skip' && name !== 'skiptoken')
        .map(([name, value]) => [`$${name}`, value] as const),
      identity,
      format: options.get('format'),
      expand: this.expandOf(options.get('expand')),
    };
  }

  private expandOf(text: string | undefined): ExpandItem[] | undefined {
    if (text === undefined) return undefined;
    return parseExpand(text, this.checker.entity, (target) => this.checker.forEntity(target));
  }

  /** Reads `GET {entitySet}/$count?...`: only $filter and $search apply. */
  readCount(rawQuery: string): Pick<CollectionQuery, 'filter' | 'search'> {
    const options = parseQueryOptions(rawQuery, COUNT_OPTIONS).system;
    const filterText = options.get('filter');
    const searchText = options.get('search');
    return {
      filter:
        filterText !== undefined ? this.checker.checkFilter(parseFilter(filterText)) : undefined,
      search: searchText !== undefined ? toCheckedSearch(parseSearch(searchText)) : undefined,
    };
  }

  /** Reads the options of `GET {entitySet}/{id}`: $select. */
  readEntity(rawQuery: string): EntityReadOptions {
    const options = parseQueryOptions(rawQuery, ENTITY_OPTIONS).system;
    const selectText = options.get('select');
    const select =
      selectText !== undefined ? this.checker.checkSelect(parseSelect(selectText)) : undefined;
    return {
      select,
      selectText: select ? selectText : undefined,
      format: options.get('format'),
      expand: this.expandOf(options.get('expand')),
    };
  }

  encodeNextPosition(request: CollectionRequest, position: PagePosition): string {
    return this.skipTokens.encode(position, request.identity);
  }
}

function toCheckedSearch(expression: SearchExpression): CheckedSearch {
  switch (expression.kind) {
    case 'term':
      return { kind: 'term', text: expression.text };
    case 'not':
      return { kind: 'not', operand: toCheckedSearch(expression.operand) };
    case 'and':
    case 'or':
      return {
        kind: expression.kind,
        left: toCheckedSearch(expression.left),
        right: toCheckedSearch(expression.right),
      };
  }
}
