import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { Entity } from '../edm/entity';
import { managedTenantOperation, ManagedTenantOperationProperties } from '../edm/model';
import { EntitySetRegistry } from '../entity-sets/entity-set.registry';
import { entityWritePipes } from '../entity-sets/entity-set-dtos';
import { MAX_WAIT_SECONDS, OperationRunsService } from '../operation-runs/operation-runs.service';
import { fromLive } from './live-operation-shape';
import { EntityTagCondition } from '../odata/preconditions';

/** How long the live create waits for its run before it answers 202: the longest wait of `run`. */
export const LIVE_RUN_WAIT_SECONDS = MAX_WAIT_SECONDS;

/** A live create's outcome: the operation, and whether its run finished within the wait. */
export interface LiveRun {
  readonly operation: Entity<ManagedTenantOperationProperties>;
  readonly finished: boolean;
}

/**
 * The live service's create: an operation in the live shape is created and run at once, and the
 * answer waits for the run (up to LIVE_RUN_WAIT_SECONDS). Without `credentials`, the caller's own
 * bearer token is the assertion of the on-behalf-of exchange (as a middle-tier API uses the token
 * it was called with); it is kept as any dapAccessToken is: encrypted, write-only.
 */
@Injectable()
export class LiveOperations {
  private readonly create = entityWritePipes(managedTenantOperation).create;
  private readonly change = entityWritePipes(managedTenantOperation).update;

  constructor(
    private readonly sets: EntitySetRegistry,
    private readonly runs: OperationRunsService,
  ) {}

  async createAndRun(caller: Caller, body: unknown, bearerToken: string): Promise<LiveRun> {
    const ours = fromLive(body);
    const withCredentials =
      typeof ours === 'object' && ours !== null && !Array.isArray(ours) && !('credentials' in ours)
        ? { ...ours, credentials: { dapAccessToken: bearerToken } }
        : ours;
    const write = this.create.transform(withCredentials);
    const operations =
      this.sets.serviceOf<ManagedTenantOperationProperties>(managedTenantOperation);
    const { entity } = await operations.create(caller, write);
    return this.runs.run(caller, entity.id, LIVE_RUN_WAIT_SECONDS);
  }

  /** A PATCH in the live shape, as `/beta/managedTenantOperations/{id}` takes it. */
  update(
    caller: Caller,
    id: string,
    body: unknown,
    condition: EntityTagCondition | undefined,
  ): Promise<Entity<ManagedTenantOperationProperties>> {
    return this.operations().update(caller, id, this.change.transform(fromLive(body)), condition);
  }

  remove(caller: Caller, id: string, condition: EntityTagCondition | undefined): Promise<void> {
    return this.operations().remove(caller, id, condition);
  }

  private operations() {
    return this.sets.serviceOf<ManagedTenantOperationProperties>(managedTenantOperation);
  }

  get(caller: Caller, id: string): Promise<Entity<ManagedTenantOperationProperties>> {
    return this.sets
      .serviceOf<ManagedTenantOperationProperties>(managedTenantOperation)
      .get(caller, id);
  }
}
