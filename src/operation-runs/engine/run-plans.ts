import { EntityStore } from '../../database/stores/entity.store';
import { RunKey, TenantTask } from '../../database/stores/run-queue.store';
import { Entity } from '../../edm/entity';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { parseAggregation, parseStatements } from '../statements';
import { keyOf, RowOwner, RunPlan } from './engine-types';
import { OperationCredentials } from './operation-credentials';

/** Runs whose plans an instance keeps at once. */
const MAX_CACHED_PLANS = 100;

/**
 * What a run runs, read once per run and instance: the operation cannot change it while it runs
 * (its target, which may list thousands of tenants, is not read again for each tenant).
 */
export class RunPlans {
  private readonly plans = new Map<string, RunPlan>();

  constructor(
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly credentials: OperationCredentials,
  ) {}

  async planOf(task: TenantTask): Promise<RunPlan | undefined> {
    const key = planKey(task, task.run);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const operation = await this.operations.findById(
      { tenantId: task.partnerTenantId },
      task.operationId,
    );
    if (!operation) return undefined;
    const definition = operation.properties.operationDefinition ?? {};
    const plan: RunPlan = {
      belongsTo: ownerOf(operation),
      statements: parseStatements(definition.value ?? ''),
      rowLimit: parseAggregation(operation.properties.aggregationDefinition?.value).limit,
      logLevel: definition.logLevel ?? 'summary',
      failOnFirstError: definition.failOnFirstError === true,
      credentials: this.credentials.of(operation),
    };
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
    return plan;
  }

  /** The run is over: its plan goes. */
  forget(run: RunKey & { readonly run: number }): void {
    this.plans.delete(planKey(run, run.run));
  }
}

/** Who a run's rows belong to: the operation's owner properties and id. */
export function ownerOf(operation: Entity<ManagedTenantOperationProperties>): RowOwner {
  return {
    partnerTenantId: operation.properties.partnerTenantId,
    partnerUserId: operation.properties.partnerUserId,
    managedTenantOperationId: operation.id,
    requestId: operation.properties.requestId,
  };
}

function planKey(key: RunKey, run: number): string {
  return `${keyOf(key)}:${run}`;
}
