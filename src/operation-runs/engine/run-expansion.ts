import { randomUUID } from 'node:crypto';
import { EntityStore } from '../../database/stores/entity.store';
import { NewTenant, RunQueueStore, RunRecord } from '../../database/stores/run-queue.store';
import { Entity } from '../../edm/entity';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { CallAttempt, GraphCallError } from '../../integrations/graph/graph-client';
import {
  CustomerContract,
  CustomerPage,
  PartnerCustomers,
} from '../../integrations/graph/partner-customers';
import { secretsOf, TokenRequestError } from '../../integrations/graph/tenant-tokens';
import { BatchedWrites, BatchSizes } from './batched-writes';
import { OperationCredentials } from './operation-credentials';
import { Clock } from '../../jobs/clock';
import { EngineErrors } from './engine-errors';
import { ownerOf } from './run-plans';
import { RunRows } from './run-rows';

/**
 * A listing of the partner's customers is written in batches of about five pages of /contracts,
 * and holds at most about ten pages, whatever the number of the partner's customers.
 */
const LISTING_BATCHES: BatchSizes = { batch: 5_000, most: 10_000 };

/** Where a listing of the partner's customers also goes: the partner's directory of tenants. */
export interface CustomerDirectory {
  listing(partnerTenantId: string): {
    take(contracts: readonly CustomerContract[]): Promise<void>;
    finish(): Promise<unknown>;
    /** The listing will not finish: what it noted goes. */
    abandon(): Promise<void>;
  };
}

/** The members of tenant groups, as a run's target names them (see GroupTargets). */
export interface GroupResolver {
  resolve(
    partnerTenantId: string,
    groupIds: readonly string[],
  ): Promise<
    | { readonly found: true; readonly everyone: boolean; readonly tenantIds: readonly string[] }
    | { readonly found: false; readonly missing: readonly string[] }
  >;
}

/** A run whose tenants were listed, and why it has nothing to run, if it has not. */
export interface ExpandedRun {
  readonly run: RunRecord;
  readonly nothingToRun?: string;
}

/**
 * Lists the tenants of `target.allTenants` runs: claims the runs waiting for it, lists the
 * partner's customers (GET /v1.0/contracts, following nextLinks, the calls recorded as the
 * operation's logLevel asks) and gives the queue the tenants, in order. A customerId that is not
 * a tenant id is reported, not run; a listing that fails or finds nothing ends the run with a
 * message. The listing refreshes the partner's directory of tenants as it goes (a failure to
 * write the directory never fails the run: the next refresh mends it).
 */
export class RunExpansion {
  constructor(
    private readonly queue: RunQueueStore,
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly customers: PartnerCustomers,
    private readonly rows: RunRows,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly errors: EngineErrors,
    private readonly credentials: OperationCredentials,
    private readonly directory?: CustomerDirectory,
    private readonly groups?: GroupResolver,
    /** Runs a run's listing within the run's trace (the engine's tracing; as it is by default). */
    private readonly withinRun: <T>(run: RunRecord, work: () => Promise<T>) => Promise<T> = (
      _run,
      work,
    ) => work(),
  ) {}

  async expandClaimed(): Promise<ExpandedRun[]> {
    const now = this.clock.now();
    const claimed = await this.queue.claimExpansions(this.owner, now + this.leaseMs, now);
    const expanded: ExpandedRun[] = [];
    for (const run of claimed) {
      const operation = await this.operations.findById(
        { tenantId: run.partnerTenantId },
        run.operationId,
      );
      if (!operation) continue;
      const done = await this.withinRun(run, () => this.expand(run, operation));
      if (done) expanded.push(done);
    }
    return expanded;
  }

  /**
   * Works out a run's tenants and gives them to the queue: the groups' members and the tenants
   * named, then (for allTenants, or a group of every customer) the partner's contracts, each
   * tenant once and none of the excluded ones. Undefined when another worker took the run over.
   */
  private async expand(
    run: RunRecord,
    operation: Entity<ManagedTenantOperationProperties>,
  ): Promise<ExpandedRun | undefined> {
    const target = operation.properties.target ?? {};
    // Only the exclusions are held here, never the tenants listed (a run of every customer can
    // list hundreds of thousands): a tenant named twice (in tenantIds, by a group, by the
    // contracts) is one row of the run all the same, as its key makes it, and `add` counts the
    // rows it added, not the tenants it was given.
    const excludedIds = new Set((target.excludedTenantIds ?? []).map((id) => id.toLowerCase()));
    const excluded = excludedIds.size;
    const listed = { tenants: 0, refused: 0, position: 0 };
    const take = async (tenantIds: readonly string[], refusedIds: readonly string[] = []) => {
      const tenants = tenantIds
        .filter((id) => !excludedIds.has(id))
        .map((targetTenantId) => ({ targetTenantId, resultId: randomUUID() }));
      const refused = refusedIds.map((customerId) => ({
        targetTenantId: customerId,
        resultId: randomUUID(),
        skipped: `Not run: GET /v1.0/contracts gave the customerId '${customerId}', which is not a tenant id (a GUID).`,
      }));
      // The positions are taken before any write, so that pages written side by side keep the
      // order in which they were listed.
      const position = listed.position;
      listed.position += tenants.length + refused.length;
      const [added, refusedAdded] = await Promise.all([
        this.add(run, tenants, position),
        this.add(run, refused, position + tenants.length),
      ]);
      listed.tenants += added;
      listed.refused += refusedAdded;
    };
    let listContracts = target.allTenants === true;
    let failure: string | undefined;
    try {
      const groupIds = target.tenantGroupIds ?? [];
      if (groupIds.length > 0) {
        const groups = await this.groups!.resolve(run.partnerTenantId, groupIds);
        if (!groups.found) {
          failure = `target.tenantGroupIds names ${groups.missing.map((id) => `'${id}'`).join(', ')}, which no longer ${groups.missing.length === 1 ? 'is a tenantGroup' : 'are tenantGroups'} of the partner: set the target again.`;
        } else {
          listContracts ||= groups.everyone;
          if (!target.allTenants) await take(lowerCased(target.tenantIds ?? []));
          await take(lowerCased(groups.tenantIds));
        }
      }
      if (failure === undefined && listContracts) {
        failure = await this.listCustomers(run, operation, (page) =>
          take(page.tenants, page.refused),
        );
      }
    } catch (error) {
      if (error instanceof ListingTakenOver) return undefined;
      failure = this.errors.internal(
        "The run's tenants could not be worked out",
        error,
        `operation ${run.operationId}`,
      );
    }
    if (!(await this.queue.expanded(run, this.owner, failure === undefined))) return undefined;
    const nothingToRun =
      failure ??
      (listed.tenants > 0
        ? undefined
        : listed.refused > 0
          ? `GET /v1.0/contracts lists no customer tenant whose customerId is a tenant id (${listed.refused} skipped): there is nothing to run.`
          : excluded > 0
            ? 'The target holds no tenant that target.excludedTenantIds leaves: there is nothing to run.'
            : listContracts
              ? 'GET /v1.0/contracts lists no customer tenant: there is nothing to run.'
              : "The target's groups hold no tenant: there is nothing to run.");
    return { run, nothingToRun };
  }

  /**
   * The partner's contracts, page by page, into the run and into the partner's directory; why
   * they could not be listed, if they could not.
   *
   * Pages are written in batches of LISTING_BATCHES.batch customers with the record of the calls
   * that listed them, while the next pages are asked for: one commit on SQLite for several pages
   * rather than one each (a page's rows land all over the indexes keyed by tenant id, so a batch
   * writes each index page once for several pages). No tenant of the run starts before its listing
   * ends, so nothing waits for the first page. What waits is bounded by LISTING_BATCHES.most.
   */
  private async listCustomers(
    run: RunRecord,
    operation: Entity<ManagedTenantOperationProperties>,
    take: (page: CustomerPage) => Promise<void>,
  ): Promise<string | undefined> {
    const directory = this.directory?.listing(run.partnerTenantId);
    let directoryWritten = directory !== undefined;
    const logLevel = operation.properties.operationDefinition?.logLevel ?? 'summary';
    const calls: CallAttempt[] = [];
    const pages = new BatchedWrites<CustomerPage>(
      async (batch) => {
        // The directory and the run take the pages side by side (one commit for both on SQLite).
        const written = directoryWritten
          ? directory!.take(batch.flatMap((page) => page.contracts)).then(
              () => true,
              () => false,
            )
          : undefined;
        try {
          const outcomes = await Promise.allSettled([
            ...calls.splice(0).map((call) => this.recordListingCall(run, operation, call)),
            ...batch.map((page) => take(page)),
          ]);
          const failed = outcomes.find((outcome) => outcome.status === 'rejected');
          if (failed) throw failed.reason;
        } finally {
          directoryWritten = (await written) ?? false;
        }
      },
      LISTING_BATCHES,
      (page) => page.tenants.length + page.refused.length,
    );
    try {
      await this.customersOf(
        operation,
        async (call) => {
          if (logLevel !== 'none') calls.push(call);
        },
        (page) => pages.add(page),
      );
      await pages.flush();
      // Calls recorded since the last write (as a rule none: each page's call goes with its page).
      await Promise.all(
        calls.splice(0).map((call) => this.recordListingCall(run, operation, call)),
      );
    } catch (error) {
      // No page is still being written once the listing has failed; the calls that failed it are
      // recorded all the same (the run's message says why).
      await pages.abandon();
      await Promise.all(
        calls
          .splice(0)
          .map((call) => this.recordListingCall(run, operation, call).catch(() => undefined)),
      );
      await directory?.abandon().catch(() => undefined);
      if (error instanceof ListingTakenOver) throw error;
      return error instanceof GraphCallError || error instanceof TokenRequestError
        ? this.errors.scrubbed(error.message, ...secretsOf(this.credentials.of(operation)))
        : this.errors.internal(
            "The partner's customers could not be listed",
            error,
            `operation ${run.operationId}`,
          );
    }
    if (directoryWritten) await directory!.finish().catch(() => undefined);
    else await directory?.abandon().catch(() => undefined);
    return undefined;
  }

  /** Adds a page's tenants to the run as they are listed. */
  private async add(run: RunRecord, tenants: NewTenant[], firstPosition: number): Promise<number> {
    if (tenants.length === 0) return 0;
    const added = await this.queue.addListedTenants(run, this.owner, tenants, firstPosition);
    if (added === undefined) throw new ListingTakenOver();
    return added;
  }

  /** The partner's customers, each call told to `record`. */
  private customersOf(
    operation: Entity<ManagedTenantOperationProperties>,
    record: (attempt: CallAttempt) => Promise<void>,
    take: (page: CustomerPage) => Promise<void>,
  ): Promise<void> {
    return this.customers.list(
      operation.properties.partnerTenantId!,
      this.credentials.of(operation),
      record,
      take,
    );
  }

  /** A call of the listing, recorded as the run's (in the partner's own tenant). */
  private recordListingCall(
    run: RunRecord,
    operation: Entity<ManagedTenantOperationProperties>,
    attempt: CallAttempt,
  ): Promise<void> {
    return this.rows.recordCall(run, ownerOf(operation), operation.properties.partnerTenantId!, {
      attempt: attempt.attempt,
      statusCode: attempt.status || null,
      request: { method: 'GET', url: attempt.request.url },
    });
  }
}

function lowerCased(ids: readonly string[]): string[] {
  return ids.map((id) => id.toLowerCase());
}

/** The run's listing lease went to another worker (this one was too slow): it lists it now. */
class ListingTakenOver extends Error {}
