import { SyncStateNotFoundError } from '../../common/errors';
import { DeltaState, DeltaTokenCodec, DeltaTokenExpiredError } from '../delta-token';
import { CollectionQuery } from './checked-query';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './collection-request';
import { parseSelect } from './expression-parser';
import { InvalidQueryError } from './invalid-query.error';
import { QueryChecker } from './query-checker';
import { parseQueryOptions, SystemOption } from './query-options';
import { queryIdentity } from './skip-token';

/**
 * The options of a delta query. `$select` is given on the first call and kept by the tokens;
 * `$skiptoken` (in nextLinks) and `$deltatoken` (in deltaLinks, or `latest`) say where the query
 * stands. Filtering, ordering and counting are not offered on delta, as on most of Microsoft
 * Graph's delta functions: the answer is every change of the collection.
 */
const DELTA_OPTIONS = new Set<SystemOption>(['select', 'skiptoken', 'deltatoken', 'format']);

const DAY_MS = 86_400_000;

export interface DeltaRequest {
  /** Where the query stands; none on a first call; `latest` for just a deltaLink. */
  readonly state?: DeltaState | 'latest';
  readonly select?: CollectionQuery['select'];
  readonly selectText?: string;
  readonly format?: string;
  readonly pageSize: number;
  readonly pageSizePreferred: boolean;
  /** How the first round pages through the current rows: the collection's default order. */
  readonly initialOrder: CollectionQuery['orderBy'];
  /** What tokens are bound to: the tenant, the entity set, the navigation. */
  readonly identity: string;
}

export class DeltaRequestReader {
  constructor(
    private readonly checker: QueryChecker,
    private readonly tokens: DeltaTokenCodec,
    private readonly retentionMs: number,
  ) {}

  /** Reads `GET {collection}/delta?...` for a scope (tenant, set and principal). */
  read(rawQuery: string, scope: string, preferredPageSize?: number): DeltaRequest {
    const options = parseQueryOptions(rawQuery, DELTA_OPTIONS).system;
    const skipToken = options.get('skiptoken');
    const deltaToken = options.get('deltatoken');
    if (skipToken !== undefined && deltaToken !== undefined) {
      throw new InvalidQueryError('$deltatoken', 'a request has a $skiptoken or a $deltatoken');
    }
    const identity = queryIdentity([scope, 'delta']);
    let state: DeltaState | 'latest' | undefined;
    try {
      if (deltaToken === 'latest') state = 'latest';
      else if (deltaToken !== undefined) {
        state = this.tokens.decode(deltaToken, identity, '$deltatoken');
      } else if (skipToken !== undefined) {
        state = this.tokens.decode(skipToken, identity, '$skiptoken');
      }
    } catch (error) {
      if (error instanceof DeltaTokenExpiredError) {
        throw new SyncStateNotFoundError(this.retentionMs / DAY_MS);
      }
      throw error;
    }
    const sentSelect = options.get('select');
    const kept = typeof state === 'object' ? state.select : undefined;
    if (typeof state === 'object' && sentSelect !== undefined && sentSelect !== kept) {
      throw new InvalidQueryError(
        '$select',
        'the token keeps the $select of the first call; follow the link as it is',
      );
    }
    const selectText = typeof state === 'object' ? kept : sentSelect;
    const select =
      selectText !== undefined ? this.checker.checkSelect(parseSelect(selectText)) : undefined;
    return {
      state,
      select,
      selectText: select ? selectText : undefined,
      format: options.get('format'),
      pageSize: Math.min(preferredPageSize ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
      pageSizePreferred: preferredPageSize !== undefined,
      initialOrder: this.checker.defaultOrder(),
      identity,
    };
  }

  /** The token of a nextLink or deltaLink of this query. */
  encode(request: DeltaRequest, state: DeltaState): string {
    return this.tokens.encode(state, request.identity);
  }
}
