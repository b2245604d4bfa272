import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { StateConflictError } from '../common/errors';
import { RunQueueStore } from '../database/stores/run-queue.store';
import { managedTenantOperation } from '../edm/model';
import { EntitySetPolicy, EntitySetRules } from '../entity-sets/entity-set-rules';
import { parseAggregation, parseStatements } from './statements';

/**
 * What a client may not change while its operation runs: the service owns these until the run
 * ends (`result` is the service's too, from the first run on).
 */
const OWNED_WHILE_RUNNING = [
  'status',
  'target',
  'operationDefinition',
  'aggregationDefinition',
  'credentials',
  'result',
] as const;

/**
 * A line that starts with a header list, a method, or a word and then a path or URL
 * (`GTE /v1.0/users` too): the value is meant as statements, so it must parse. Free text (the
 * seed's 'String') is a plain value.
 */
const LOOKS_LIKE_STATEMENTS =
  /^\s*(\[|@sys\.normalize\(|(get|post|patch|put|delete)\s|[a-z]+\s+(\/|[a-z][a-z0-9+.-]*:\/\/))/im;

/**
 * The operations' own rules: statements and aggregations meant as such must parse, and what a
 * run uses cannot change while the operation runs.
 */
@Injectable()
@EntitySetRules(managedTenantOperation.entitySetName)
export class RunningOperationRules implements EntitySetPolicy {
  constructor(private readonly queue: RunQueueStore) {}

  /** Statements that are meant as statements must parse (the seed's 'String' is a plain value). */
  checkCreate(_caller: Caller, sent: Readonly<Record<string, unknown>>): void {
    checkDefinitions(sent);
  }

  async checkChange(
    caller: Caller,
    id: string,
    sent: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    checkDefinitions(sent);
    const touched = OWNED_WHILE_RUNNING.filter((name) => sent[name] !== undefined);
    if (touched.length === 0) return;
    const run = await this.queue.find({ partnerTenantId: caller.tenantId, operationId: id });
    if (run && run.state !== 'finished') {
      throw new StateConflictError(
        'operationRunning',
        `The managedTenantOperation '${id}' is running: ${touched.join(', ')} cannot change until it ends ` +
          '(name, description and dynamic properties can). Cancel it first to change them now.',
      );
    }
  }
}

function checkDefinitions(sent: Readonly<Record<string, unknown>>): void {
  const statements = (sent.operationDefinition as { value?: unknown } | null | undefined)?.value;
  if (typeof statements === 'string' && LOOKS_LIKE_STATEMENTS.test(statements)) {
    parseStatements(statements);
  }
  const aggregation = (sent.aggregationDefinition as { value?: unknown } | null | undefined)?.value;
  if (typeof aggregation === 'string' && aggregation.trim().startsWith('@')) {
    parseAggregation(aggregation);
  }
}
