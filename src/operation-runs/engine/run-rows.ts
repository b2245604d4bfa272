import { randomUUID } from 'node:crypto';
import {
  DuplicateEntityError,
  EntityStore,
  MissingPrincipalError,
} from '../../database/stores/entity.store';
import { RunKey, TenantTask } from '../../database/stores/run-queue.store';
import {
  ManagedTenantOperationHttpRequestProperties,
  ManagedTenantOperationResultProperties,
} from '../../edm/model';
import { toUtcDateTimeOffset } from '../../edm/primitive-formats';
import { Clock } from '../../jobs/clock';
import { RecordedCall } from '../tenant-run';
import { RowOwner, TenantResult } from './engine-types';

/** The rows a run writes: a result per tenant, an HTTP request per recorded call. */
export class RunRows {
  constructor(
    private readonly results: EntityStore<ManagedTenantOperationResultProperties>,
    private readonly httpRequests: EntityStore<ManagedTenantOperationHttpRequestProperties>,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes a tenant's result row, with the id chosen when its run started. One written before
   * (by a worker that died before it could say so) stands; so does nothing when the operation
   * was deleted while it ran (its rows went with it).
   */
  async recordResult(task: TenantTask, belongsTo: RowOwner, result: TenantResult): Promise<void> {
    const now = toUtcDateTimeOffset(new Date(this.clock.now()));
    try {
      await this.results.insert(
        { tenantId: task.partnerTenantId },
        {
          id: task.resultId,
          createdDateTime: now,
          lastModifiedDateTime: now,
          properties: {
            ...belongsTo,
            targetTenantId: task.targetTenantId,
            runNumber: task.run,
            isSuccess: result.isSuccess,
            exception: result.exception,
            executionInfo: result.executionInfo,
            result: result.rows,
          },
          dynamicProperties: {},
        },
      );
    } catch (error) {
      if (!(error instanceof DuplicateEntityError) && !(error instanceof MissingPrincipalError)) {
        throw error;
      }
    }
  }

  /** Writes a recorded call of a run (nothing when the operation was deleted meanwhile). */
  async recordCall(
    task: RunKey & { readonly run: number },
    belongsTo: RowOwner,
    targetTenantId: string,
    call: RecordedCall,
  ): Promise<void> {
    const now = toUtcDateTimeOffset(new Date(this.clock.now()));
    await this.httpRequests
      .insert(
        { tenantId: task.partnerTenantId },
        {
          id: randomUUID(),
          createdDateTime: now,
          lastModifiedDateTime: now,
          properties: {
            ...belongsTo,
            targetTenantId,
            runNumber: task.run,
            attempt: call.attempt,
            statusCode: call.statusCode,
            request: call.request,
            response: call.response ?? null,
          },
          dynamicProperties: {},
        },
      )
      .catch((error: unknown) => {
        if (!(error instanceof MissingPrincipalError)) throw error;
      });
  }
}
