import { randomUUID } from 'node:crypto';
import { EntityStore } from '../../database/stores/entity.store';
import { RunQueueStore, RunRecord } from '../../database/stores/run-queue.store';
import { Entity } from '../../edm/entity';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { GraphCallError } from '../../integrations/graph/graph-client';
import { Customers, PartnerCustomers } from '../../integrations/graph/partner-customers';
import { TokenRequestError } from '../../integrations/graph/tenant-tokens';
import { Clock } from '../../jobs/clock';
import { EngineErrors } from './engine-errors';
import { ownerOf } from './run-plans';
import { RunRows } from './run-rows';

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
 * message.
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
      let customers: Customers = { tenants: [], refused: [] };
      let failure: string | undefined;
      try {
        customers = await this.customersOf(operation);
      } catch (error) {
        failure =
          error instanceof GraphCallError || error instanceof TokenRequestError
            ? this.errors.scrubbed(
                error.message,
                operation.properties.credentials?.dapAccessToken ?? '',
              )
            : this.errors.internal(
                "The partner's customers could not be listed",
                error,
                `operation ${run.operationId}`,
              );
      }
      const { tenants, refused } = customers;
      const accepted = await this.queue.expand(run, this.owner, [
        ...tenants.map((targetTenantId) => ({ targetTenantId, resultId: randomUUID() })),
        ...refused.map((customerId) => ({
          targetTenantId: customerId,
          resultId: randomUUID(),
          skipped: `Not run: GET /v1.0/contracts gave the customerId '${customerId}', which is not a tenant id (a GUID).`,
        })),
      ]);
      if (!accepted) continue;
      const nothingToRun =
        failure !== undefined || tenants.length === 0
          ? (failure ??
            (refused.length > 0
              ? `GET /v1.0/contracts lists no customer tenant whose customerId is a tenant id (${refused.length} skipped): there is nothing to run.`
              : 'GET /v1.0/contracts lists no customer tenant: there is nothing to run.'))
          : undefined;
      expanded.push({ run, nothingToRun });
    }
    return expanded;
  }

  /** The partner's customers, with the calls recorded as the operation's logLevel asks. */
  private customersOf(operation: Entity<ManagedTenantOperationProperties>): Promise<Customers> {
    const partner = operation.properties.partnerTenantId!;
    const logLevel = operation.properties.operationDefinition?.logLevel ?? 'summary';
    return this.customers.list(
      partner,
      operation.properties.credentials?.dapAccessToken ?? '',
      async (attempt) => {
        if (logLevel === 'none') return;
        await this.rows.recordCall(
          { partnerTenantId: partner, operationId: operation.id },
          ownerOf(operation),
          partner,
          {
            attempt: attempt.attempt,
            statusCode: attempt.status || null,
            request: { method: 'GET', url: attempt.request.url },
          },
        );
      },
    );
  }
}
