import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '../../auth/caller';
import { InvalidRequestError, ItemNotFoundError } from '../../common/errors';
import {
  managedTenantOperation,
  ManagedTenantOperationProperties,
  tenant,
  TenantProperties,
} from '../../edm/model';
import { EntityStore } from '../../database/stores/entity.store';
import { RunComparisonStore, RunSpan } from '../../database/stores/run-comparison.store';
import { RunKey } from '../../database/stores/run-queue.records';
import { entityStoreToken } from '../../entity-sets/entity-set.tokens';
import { EntitySetRegistry } from '../../entity-sets/entity-set.registry';
import { EntitySetService } from '../../entity-sets/entity-set.service';
import { fullRunOf } from '../comparison/run-comparison.service';

/** Tenants read at once (their results in one statement, their names in another). */
const TENANTS_PER_READ = 200;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** One row of a run: whose it is, then the row's own properties. */
export type RunRow = Record<string, unknown> & {
  readonly _TenantId: string;
  readonly _TenantDisplayName: string | null;
  readonly _RunNumber: number;
};

/** A run's rows, ready to be read (once or more: a CSV reads them twice). */
export interface RunTable {
  readonly operationName: string;
  readonly runNumber: number;
  /** Every row, tenant by tenant in tenant-id order, a page of tenants read at a time. */
  rows(): AsyncGenerator<RunRow>;
}

/**
 * `rows`: every row of every tenant of a run, as the tenants' results hold them (not capped by
 * the aggregation's N). A run of failed tenants builds on the full run before it, as its
 * aggregate does: each tenant's rows are those of the latest run that ran it up to this one.
 */
@Injectable()
export class RunTableService {
  private readonly operations: EntitySetService<ManagedTenantOperationProperties>;

  constructor(
    registry: EntitySetRegistry,
    private readonly store: RunComparisonStore,
    @Inject(entityStoreToken(tenant)) private readonly tenants: EntityStore<TenantProperties>,
  ) {
    this.operations = registry.serviceOf<ManagedTenantOperationProperties>(managedTenantOperation);
  }

  /** The run numbered `runNumber`, or the latest finished one; 404 when there is no such run. */
  async table(caller: Caller, id: string, runNumber?: number): Promise<RunTable> {
    const operation = await this.operations.get(caller, id);
    const key: RunKey = { partnerTenantId: caller.tenantId, operationId: id };
    const runs = await this.store.runs(key);
    const run =
      runNumber ??
      runs
        .filter((found) => FINISHED.has(found.status))
        .map((found) => found.runNumber)
        .pop();
    if (run === undefined) {
      throw new InvalidRequestError(
        `The managedTenantOperation '${id}' has no finished run yet; name one with runs(N)/rows.`,
      );
    }
    if (!runs.some((found) => found.runNumber === run)) {
      throw new ItemNotFoundError(`managedTenantOperations('${id}')/runs`, String(run));
    }
    const span: RunSpan = { from: fullRunOf(runs, run), to: run };
    return {
      operationName: String(operation.properties.name ?? id),
      runNumber: run,
      rows: () => this.rowsOf(caller, key, span, run),
    };
  }

  private async *rowsOf(
    caller: Caller,
    key: RunKey,
    span: RunSpan,
    run: number,
  ): AsyncGenerator<RunRow> {
    let from = { tenant: '', inclusive: true };
    for (;;) {
      const ids = await this.store.tenants(key, [span, span], from, TENANTS_PER_READ);
      if (ids.length === 0) return;
      const [results, named] = await Promise.all([
        this.store.latestResults(key, ids, span),
        this.tenants.findByIds(caller, ids),
      ]);
      const names = new Map(named.map((found) => [found.id, found.properties.displayName ?? null]));
      for (const tenantId of ids) {
        const found = results.get(tenantId);
        if (!found) continue;
        const tenantName = names.get(tenantId) ?? null;
        for (const text of found.rows) {
          yield {
            _TenantId: tenantId,
            _TenantDisplayName: tenantName,
            _RunNumber: run,
            ...asObject(text),
          };
        }
      }
      if (ids.length < TENANTS_PER_READ) return;
      from = { tenant: ids[ids.length - 1], inclusive: false };
    }
  }
}

/** A stored row as an object: its JSON when that is an object, else `{ value }`. */
function asObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { value: text };
  }
}
