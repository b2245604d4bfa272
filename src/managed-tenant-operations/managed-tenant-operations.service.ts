import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  ItemNotFoundError,
  PreconditionFailedError,
  RequestIdConflictError,
} from '../common/errors';
import { Caller } from '../auth/caller';
import { RequestFingerprinter } from '../crypto/request-fingerprint';
import { conditionMatches, EntityTagCondition } from '../odata/preconditions';
import { entityTagOf } from './entity-tag';
import { EntityWrite } from '../edm/entity-write';
import {
  holdsSecret,
  isComplexProperty,
  managedTenantOperation as model,
  PropertyDefinition,
} from '../edm/model';
import { toUtcDateTimeOffset } from '../edm/primitive-formats';
import { CollectionQuery } from '../odata/query/checked-query';
import { CollectionRequest } from '../odata/query/collection-request';
import { PagePosition } from '../odata/query/skip-token';
import { ManagedTenantOperation } from './managed-tenant-operation';

export interface OperationPage {
  readonly operations: ManagedTenantOperation[];
  /** `@odata.count`, when asked for. */
  readonly count?: number;
  /** Where the next page starts, when there is one. */
  readonly next?: PagePosition;
}
import {
  DuplicateOperationError,
  ManagedTenantOperationsRepository,
} from './managed-tenant-operations.repository';

/** The rules of managed tenant operations: ids, computed timestamps, and PATCH semantics. */
@Injectable()
export class ManagedTenantOperationsService {
  constructor(
    private readonly repository: ManagedTenantOperationsRepository,
    private readonly fingerprints: RequestFingerprinter,
  ) {}

  /**
   * Creates an operation. requestId is the client's idempotency key within its partner tenant: a
   * retry with an identical body returns the operation the first request created (`created:
   * false`); another body with the same requestId is a conflict. The unique index decides races.
   */
  async create(
    caller: Caller,
    write: EntityWrite,
  ): Promise<{ operation: ManagedTenantOperation; created: boolean }> {
    const { [model.key]: requestedId, ...properties } = write.declared;
    requireOwnTenantAndUser(caller, properties);
    const now = toUtcDateTimeOffset(new Date());
    const operation: ManagedTenantOperation = {
      id: typeof requestedId === 'string' ? requestedId : randomUUID(),
      createdDateTime: now,
      lastModifiedDateTime: now,
      properties,
      dynamicProperties: write.dynamic,
    };
    const fingerprint = this.fingerprints.fingerprint(write);
    try {
      await this.repository.insert(caller, operation, fingerprint);
      return { operation, created: true };
    } catch (error) {
      if (!(error instanceof DuplicateOperationError)) throw error;
    }
    const partnerTenantId = properties.partnerTenantId as string;
    const requestId = properties.requestId as string;
    const existing = await this.repository.findByRequestKey(caller, requestId);
    if (!existing) {
      throw new ConflictError(`A ${model.name} with the id '${operation.id}' already exists.`);
    }
    if (existing.createFingerprint !== fingerprint) {
      throw new RequestIdConflictError(
        `The requestId '${requestId}' was already used in partner tenant '${partnerTenantId}' ` +
          `to create the ${model.name} '${existing.operation.id}' with a different request body.`,
      );
    }
    return { operation: existing.operation, created: false };
  }

  async get(caller: Caller, id: string): Promise<ManagedTenantOperation> {
    const operation = await this.repository.findById(caller, id);
    if (!operation) throw new ItemNotFoundError(model.entitySetName, id);
    return operation;
  }

  /**
   * One page of a collection read: at most `pageSize` operations (and no more than `$top` allows),
   * where the next page starts when there is one, and the count when `$count=true`.
   */
  async list(caller: Caller, request: CollectionRequest): Promise<OperationPage> {
    const limit = Math.min(request.pageSize, request.remaining ?? Number.MAX_SAFE_INTEGER);
    const [rows, count] = await Promise.all([
      limit > 0
        ? this.repository.findPage(caller, request.query, request.position?.keys, limit + 1)
        : [],
      request.query.count ? this.repository.count(caller, request.query) : undefined,
    ]);
    const page = rows.slice(0, limit);
    const remaining = request.remaining === undefined ? undefined : request.remaining - page.length;
    const hasMore = rows.length > limit && (remaining === undefined || remaining > 0);
    return {
      operations: page.map((row) => row.operation),
      count,
      next: hasMore ? { keys: page[page.length - 1].position, remaining } : undefined,
    };
  }

  count(caller: Caller, query: Pick<CollectionQuery, 'filter' | 'search'>): Promise<number> {
    return this.repository.count(caller, query);
  }

  /**
   * OData 4.01 PATCH (Protocol §11.4.3): properties not sent keep their values, complex values are
   * merged property by property, collections are replaced, and a dynamic property set to null is
   * removed.
   */
  async update(
    caller: Caller,
    id: string,
    write: EntityWrite,
    condition?: EntityTagCondition,
  ): Promise<ManagedTenantOperation> {
    return this.change(caller, id, write, condition, (current, changes) => {
      const properties: Record<string, unknown> = { ...current.properties };
      for (const [name, value] of Object.entries(changes)) {
        properties[name] = mergeValue(model.properties[name], properties[name], value);
      }
      const dynamicProperties: Record<string, unknown> = { ...current.dynamicProperties };
      for (const [name, value] of Object.entries(write.dynamic)) {
        if (value === null) delete dynamicProperties[name];
        else dynamicProperties[name] = value;
      }
      return { properties, dynamicProperties };
    });
  }

  /**
   * OData 4.01 PUT (Protocol §11.4.3): the entity is replaced by what was sent. Its key and computed
   * properties (createdDateTime, lastModifiedDateTime) are the service's, as for PATCH; dynamic
   * properties not sent are gone; within complex values, what was not sent is reset (absent, so
   * null). Secrets are write-only, so a client that read the entity cannot send them back: one not
   * sent keeps its value, as PATCH does (an explicit null clears it). Every required property must be
   * sent, as on create: none has a default to reset to.
   */
  async replace(
    caller: Caller,
    id: string,
    write: EntityWrite,
    condition?: EntityTagCondition,
  ): Promise<ManagedTenantOperation> {
    return this.change(caller, id, write, condition, (current, replacement) => {
      const properties: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(replacement)) {
        properties[name] = keepUnsentSecrets(
          model.properties[name],
          current.properties[name],
          value,
        );
      }
      return { properties, dynamicProperties: { ...write.dynamic } };
    });
  }

  /** An update of one operation: the key cannot change, If-Match is checked on the stored version. */
  private async change(
    caller: Caller,
    id: string,
    write: EntityWrite,
    condition: EntityTagCondition | undefined,
    apply: (
      current: ManagedTenantOperation,
      sent: Record<string, unknown>,
    ) => Pick<ManagedTenantOperation, 'properties' | 'dynamicProperties'>,
  ): Promise<ManagedTenantOperation> {
    const { [model.key]: requestedId, ...sent } = write.declared;
    requireOwnTenantAndUser(caller, sent);
    if (requestedId !== undefined && requestedId !== id) {
      throw new InvalidRequestError(
        `'${model.key}' cannot be changed (from '${id}' to '${String(requestedId)}').`,
      );
    }
    const updated = await this.repository.update(caller, id, (current) => {
      requireMatch(current, condition);
      return {
        ...current,
        ...apply(current, sent),
        lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
      };
    });
    if (!updated) throw new ItemNotFoundError(model.entitySetName, id);
    return updated;
  }

  async remove(caller: Caller, id: string, condition?: EntityTagCondition): Promise<void> {
    const deleted = await this.repository.delete(caller, id, (current) =>
      requireMatch(current, condition),
    );
    if (!deleted) throw new ItemNotFoundError(model.entitySetName, id);
  }
}

/**
 * A caller records operations for its own partner tenant, as itself: partnerTenantId must be its
 * `tid` and partnerUserId its `oid`, on create and when an update sends them.
 */
function requireOwnTenantAndUser(caller: Caller, properties: Record<string, unknown>): void {
  const { partnerTenantId, partnerUserId } = properties;
  if (partnerTenantId !== undefined && partnerTenantId !== caller.tenantId) {
    throw new ForbiddenError(
      `partnerTenantId must be the caller's own tenant (${caller.tenantId}), not '${String(partnerTenantId)}'.`,
    );
  }
  if (partnerUserId !== undefined && partnerUserId !== caller.userId) {
    throw new ForbiddenError(
      `partnerUserId must be the caller's own user id (${caller.userId}), not '${String(partnerUserId)}'.`,
    );
  }
}

/** If-Match (OData Protocol 4.01 §11.4.1.1): the change applies only to the version the client saw. */
function requireMatch(
  current: ManagedTenantOperation,
  condition: EntityTagCondition | undefined,
): void {
  if (condition && !conditionMatches(condition, entityTagOf(current))) {
    throw new PreconditionFailedError(
      `The ${model.name} '${current.id}' has changed since the ETag given in If-Match (it is now ${entityTagOf(current)}).`,
    );
  }
}

function mergeValue(property: PropertyDefinition, current: unknown, change: unknown): unknown {
  if (!isComplexProperty(property) || property.collection) return change;
  if (change === null || typeof current !== 'object' || current === null) return change;
  const merged: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [name, value] of Object.entries(change as Record<string, unknown>)) {
    merged[name] = mergeValue(property.type.properties[name], merged[name], value);
  }
  return merged;
}

/**
 * A replacement value with the secrets it does not mention taken from the current value, at any
 * depth of complex values. (Items of collections cannot be matched up, so they are taken as sent.)
 */
function keepUnsentSecrets(property: PropertyDefinition, current: unknown, sent: unknown): unknown {
  if (!isComplexProperty(property) || property.collection || !holdsSecret(property)) return sent;
  if (!isObject(sent) || !isObject(current)) return sent;
  const kept: Record<string, unknown> = { ...sent };
  for (const [name, nested] of Object.entries(property.type.properties)) {
    if (!(name in sent)) {
      if (nested.secret && current[name] !== undefined) kept[name] = current[name];
    } else {
      kept[name] = keepUnsentSecrets(nested, current[name], sent[name]);
    }
  }
  return kept;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Now, but strictly after `previous`, so that lastModifiedDateTime advances on every update. */
function laterTimestamp(previous: string): string {
  const now = Date.now();
  const previousMs = Date.parse(previous);
  return toUtcDateTimeOffset(new Date(Math.max(now, previousMs + 1)));
}
