import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '../../auth/caller';
import { InvalidRequestError, ItemNotFoundError } from '../../common/errors';
import {
  ComparedRun,
  RunComparisonStore,
  RunSpan,
} from '../../database/stores/run-comparison.store';
import { RunKey } from '../../database/stores/run-queue.records';
import {
  managedTenantOperation,
  ManagedTenantOperationProperties,
  tenant,
  TenantProperties,
} from '../../edm/model';
import { EntityStore } from '../../database/stores/entity.store';
import { entityStoreToken } from '../../entity-sets/entity-set.tokens';
import { EntitySetRegistry } from '../../entity-sets/entity-set.registry';
import { EntitySetService } from '../../entity-sets/entity-set.service';
import { parseCount, parseBooleanOption, parseQueryOptions } from '../../odata/query/query-options';
import { InvalidQueryError } from '../../odata/query/invalid-query.error';
import { queryIdentity, SkipTokenCodec } from '../../odata/query/skip-token';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../odata/query/collection-request';
import { parseDifferenceFilter } from './difference-filter';
import { RunDifference, tenantDifferences } from './run-differences';

/** Tenants whose results are read at once while differences are worked out. */
const TENANTS_PER_READ = 100;
/** Statuses of runs that ended with results to compare. */
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** The runs a comparison compares, as the URL names them (either may be left out). */
export interface ComparedRuns {
  readonly baseRunNumber?: number;
  readonly runNumber?: number;
}

/** A page of differences, and where the next one starts. */
export interface DifferencePage {
  readonly baseRunNumber: number;
  readonly runNumber: number;
  readonly differences: RunDifference[];
  readonly count?: number;
  /** The next page's `$skiptoken`, when there is one. */
  readonly skipToken?: string;
  /** The query options the next page repeats (`$filter`, `$top` what remains). */
  readonly options: ReadonlyArray<readonly [string, string]>;
}

/**
 * `compareRuns`: what changed from one run of an operation to another, tenant by tenant. A
 * tenant's state as of run N is its result in the latest run ≤ N that ran it, back to the full run
 * N builds on (the last run of every target up to N), so that a run of the tenants that had not
 * succeeded compares as the whole it completes; a tenant with a state in one run only was added
 * or removed. The differences are worked out a page of tenants at a time, so memory stays that of
 * a page whatever the size of the runs; a page ends within a tenant when it is full.
 */
@Injectable()
export class RunComparisonService {
  private readonly operations: EntitySetService<ManagedTenantOperationProperties>;

  constructor(
    registry: EntitySetRegistry,
    private readonly store: RunComparisonStore,
    private readonly skipTokens: SkipTokenCodec,
    @Inject(entityStoreToken(tenant)) private readonly tenants: EntityStore<TenantProperties>,
  ) {
    this.operations = registry.serviceOf<ManagedTenantOperationProperties>(managedTenantOperation);
  }

  async compare(
    caller: Caller,
    id: string,
    named: ComparedRuns,
    rawQuery: string,
    preferredPageSize?: number,
  ): Promise<DifferencePage> {
    await this.operations.get(caller, id);
    const key: RunKey = { partnerTenantId: caller.tenantId, operationId: id };
    const runs = await this.store.runs(key);
    const { base, later } = chooseRuns(id, runs, named);
    const options = parseQueryOptions(
      rawQuery,
      new Set(['filter', 'top', 'count', 'skiptoken']),
    ).system;
    const filterText = options.get('filter');
    const matches = filterText === undefined ? () => true : parseDifferenceFilter(filterText);
    const top = options.has('top') ? parseCount('$top', options.get('top')!) : undefined;
    const count = options.has('count') && parseBooleanOption('$count', options.get('count')!);
    const identity = queryIdentity([caller.tenantId, id, base, later, filterText ?? '', top]);
    const token = options.get('skiptoken');
    const position = token === undefined ? undefined : this.skipTokens.decode(token, identity);
    const [afterTenant, skipInTenant] = position ? readPosition(position.keys) : ['', 0];
    const remaining = position ? position.remaining : top;
    const pageSize = Math.min(
      preferredPageSize ?? DEFAULT_PAGE_SIZE,
      MAX_PAGE_SIZE,
      remaining ?? Number.MAX_SAFE_INTEGER,
    );
    const spans: [RunSpan, RunSpan] = [
      { from: fullRunOf(runs, base), to: base },
      { from: fullRunOf(runs, later), to: later },
    ];

    const differences: RunDifference[] = [];
    let next: { tenant: string; index: number } | undefined;
    // The tenant a skiptoken stopped in is read again, from the difference it stopped at.
    let from = { tenant: afterTenant, inclusive: afterTenant !== '' };
    pages: for (;;) {
      const tenants = await this.store.tenants(key, spans, from, TENANTS_PER_READ);
      for await (const [tenant, found] of this.differencesOf(key, tenants, spans, matches)) {
        const first = tenant === afterTenant ? skipInTenant : 0;
        for (let index = first; index < found.length; index += 1) {
          if (differences.length === pageSize) {
            next = { tenant, index };
            break pages;
          }
          differences.push(found[index]);
        }
      }
      if (tenants.length < TENANTS_PER_READ) break;
      from = { tenant: tenants[tenants.length - 1], inclusive: false };
    }
    const left = remaining === undefined ? undefined : remaining - differences.length;
    const more = next !== undefined && (left === undefined || left > 0);
    return {
      baseRunNumber: base,
      runNumber: later,
      differences: await this.named(caller, differences),
      count: count ? await this.count(key, spans, matches) : undefined,
      skipToken: more
        ? this.skipTokens.encode({ keys: [next!.tenant, next!.index], remaining: left }, identity)
        : undefined,
      options: [
        ...(filterText === undefined ? [] : [['$filter', filterText] as const]),
        ...(top === undefined ? [] : [['$top', String(top)] as const]),
      ],
    };
  }

  /**
   * Every difference that matches, for a file: the first page read now (so that a bad request
   * is an error before anything is written), the rest a page at a time as they are taken.
   */
  async allDifferences(
    caller: Caller,
    id: string,
    named: ComparedRuns,
    rawQuery: string,
  ): Promise<{ baseRunNumber: number; runNumber: number; pages: AsyncGenerator<RunDifference[]> }> {
    const first = await this.compare(caller, id, named, rawQuery, MAX_PAGE_SIZE);
    const runs = { baseRunNumber: first.baseRunNumber, runNumber: first.runNumber };
    const pages = async function* (this: RunComparisonService): AsyncGenerator<RunDifference[]> {
      let page = first;
      for (;;) {
        yield page.differences;
        if (page.skipToken === undefined) return;
        const next = [...page.options, ['$skiptoken', page.skipToken] as const]
          .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
          .join('&');
        page = await this.compare(caller, id, runs, next, MAX_PAGE_SIZE);
      }
    }.call(this);
    return { ...runs, pages };
  }

  /** The differences with their tenants' names, from the partner's directory. */
  private async named(caller: Caller, differences: RunDifference[]): Promise<RunDifference[]> {
    const ids = [...new Set(differences.map((difference) => difference.targetTenantId))];
    const names = new Map(
      (await this.tenants.findByIds(caller, ids)).map((found) => [
        found.id,
        found.properties.displayName ?? null,
      ]),
    );
    return differences.map(({ targetTenantId, ...rest }) => ({
      targetTenantId,
      tenantDisplayName: names.get(targetTenantId) ?? null,
      ...rest,
    }));
  }

  /** Each tenant's differences that match, tenant by tenant. */
  private async *differencesOf(
    key: RunKey,
    tenants: readonly string[],
    spans: readonly [RunSpan, RunSpan],
    matches: (difference: RunDifference) => boolean,
  ): AsyncGenerator<[string, RunDifference[]]> {
    const [before, after] = await Promise.all([
      this.store.latestResults(key, tenants, spans[0]),
      this.store.latestResults(key, tenants, spans[1]),
    ]);
    for (const tenant of tenants) {
      yield [
        tenant,
        tenantDifferences(tenant, before.get(tenant), after.get(tenant)).filter(matches),
      ];
    }
  }

  /** How many differences match, counted a page of tenants at a time. */
  private async count(
    key: RunKey,
    spans: readonly [RunSpan, RunSpan],
    matches: (difference: RunDifference) => boolean,
  ): Promise<number> {
    let total = 0;
    let from = { tenant: '', inclusive: false };
    for (;;) {
      const tenants = await this.store.tenants(key, spans, from, TENANTS_PER_READ);
      for await (const [, found] of this.differencesOf(key, tenants, spans, matches)) {
        total += found.length;
      }
      if (tenants.length < TENANTS_PER_READ) return total;
      from = { tenant: tenants[tenants.length - 1], inclusive: false };
    }
  }
}

/**
 * The runs to compare: those named, or by default the previous finished run and the latest.
 * A run that is not in the history is a 404; two that cannot be compared a 400.
 */
function chooseRuns(
  id: string,
  runs: readonly ComparedRun[],
  named: ComparedRuns,
): { base: number; later: number } {
  const known = new Set(runs.map((run) => run.runNumber));
  for (const runNumber of [named.baseRunNumber, named.runNumber]) {
    if (runNumber !== undefined && !known.has(runNumber)) {
      throw new ItemNotFoundError(`managedTenantOperations('${id}')/runs`, String(runNumber));
    }
  }
  const finished = runs.filter((run) => FINISHED.has(run.status)).map((run) => run.runNumber);
  const later = named.runNumber ?? finished[finished.length - 1];
  const base = named.baseRunNumber ?? [...finished].reverse().find((run) => run < (later ?? 0));
  if (later === undefined || base === undefined) {
    throw new InvalidRequestError(
      `The managedTenantOperation '${id}' has no two finished runs to compare; name them with compareRuns(baseRunNumber=…,runNumber=…).`,
    );
  }
  return { base, later };
}

/** The full run (of every target) that run `run` builds on: its state starts there. */
export function fullRunOf(runs: readonly ComparedRun[], run: number): number {
  const full = runs.filter((r) => r.runNumber <= run && r.tenantScope === 'allTargets');
  return full.length > 0 ? full[full.length - 1].runNumber : 1;
}

function readPosition(keys: readonly unknown[]): [string, number] {
  const [tenant, index] = keys;
  if (typeof tenant !== 'string' || typeof index !== 'number') {
    throw new InvalidQueryError('$skiptoken', 'the token is not one this service issued');
  }
  return [tenant, index];
}
