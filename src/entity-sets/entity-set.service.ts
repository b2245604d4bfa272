import { randomUUID } from 'node:crypto';
import { withCreateDefaults } from '../edm/create-defaults';
import { Caller } from '../auth/caller';
import {
  ConflictError,
  InvalidRequestError,
  ItemNotFoundError,
  PreconditionFailedError,
  RequestIdConflictError,
} from '../common/errors';
import { RequestFingerprinter } from '../crypto/request-fingerprint';
import {
  DuplicateEntityError,
  EntityStore,
  MissingPrincipalError,
  PageQuery,
  ReadProjection,
  RelatedRows,
  RowConstraint,
} from '../database/stores/entity.store';
import { Entity, entityTagOf } from '../edm/entity';
import { keepUnsentSecrets, mergeValue } from '../edm/entity-changes';
import { EntityWrite } from '../edm/entity-write';
import { EntityType, OWNER_PROPERTIES } from '../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../edm/primitive-formats';
import { CollectionQuery } from '../odata/query/checked-query';
import { CollectionRequest } from '../odata/query/collection-request';
import { conditionMatches, EntityTagCondition } from '../odata/preconditions';
import { PagePosition } from '../odata/query/skip-token';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { DeltaRequest } from '../odata/query/delta-request';
import { DeltaPage, deltaPage } from './delta-pages';
import { EntitySetPolicy, EntitySetRulesCatalog } from './entity-set-rules';
import { KEY_ONLY, readProjectionOf } from './read-projection';
import { requireOwnTenantAndUser, tenantIdsOf } from './entity-ownership';
import { AuditTrail } from '../audit/audit-trail';

export interface EntityPage<Properties extends object = Entity['properties']> {
  readonly entities: Entity<Properties>[];
  /** `@odata.count`, when asked for. */
  readonly count?: number;
  /** Where the next page starts, when there is one. */
  readonly next?: PagePosition;
}

/**
 * The rules of an entity set, the same for every entity type of the model: ids, computed
 * timestamps, tenant ownership, idempotent creates by requestId, PATCH and PUT semantics, ETag
 * preconditions, and the reference of a dependent to its principal. Each call may carry a row
 * constraint: a navigation (`managedTenantOperations/{id}/results`) reads and writes only the
 * rows it leads to.
 */
export class EntitySetService<Properties extends object = Entity['properties']> {
  private readonly model: EntityType;
  /** The property of a dependent that refers to its principal, and the principal's type. */
  private readonly reference?: { readonly property: string; readonly principal: EntityType };
  constructor(
    private readonly store: EntityStore,
    private readonly fingerprints: RequestFingerprinter,
    private readonly changes: ChangeFeedStore,
    private readonly rules: EntitySetRulesCatalog,
    private readonly audit: AuditTrail,
  ) {
    this.model = store.entity;
    const navigation = Object.values(this.model.navigationProperties).find(
      (candidate) => candidate.foreignKey !== undefined && !candidate.loose,
    );
    if (navigation) {
      this.reference = { property: navigation.foreignKey!, principal: navigation.target() };
    }
  }

  get entity(): EntityType {
    return this.model;
  }

  /** The set's own rules (providers marked `@EntitySetRules` with its name). */
  private rulesOfSet(): readonly EntitySetPolicy[] {
    return this.rules.rulesOf(this.model.entitySetName);
  }

  /**
   * Creates an entity. requestId is the client's idempotency key within its partner tenant: a
   * retry with an identical body returns the entity the first request created (`created:
   * false`); another body with the same requestId is a conflict. The unique index decides races.
   */
  async create(
    caller: Caller,
    write: EntityWrite,
    within?: RowConstraint,
  ): Promise<{ entity: Entity<Properties>; created: boolean }> {
    const { [this.model.key]: requestedId, ...sent } = write.declared;
    let properties = withCreateDefaults(this.model, this.withConstraint(sent, within), caller);
    requireOwnTenantAndUser(caller, properties);
    for (const rule of this.rulesOfSet()) await rule.checkCreate?.(caller, properties);
    properties = this.completed(properties, undefined);
    const now = toUtcDateTimeOffset(new Date());
    const entity: Entity = {
      id: typeof requestedId === 'string' ? requestedId : randomUUID(),
      createdDateTime: now,
      lastModifiedDateTime: now,
      properties,
      dynamicProperties: write.dynamic,
    };
    const fingerprint = this.fingerprints.fingerprint(write);
    const audited = await this.audited(caller, 'create', entity.id, write, properties);
    try {
      await this.store.insert(caller, entity, fingerprint, audited);
      return { entity: typed(entity), created: true };
    } catch (error) {
      if (error instanceof MissingPrincipalError) throw this.missingPrincipal(properties, caller);
      if (!(error instanceof DuplicateEntityError)) throw error;
    }
    const partnerTenantId = properties[OWNER_PROPERTIES.tenant] as string;
    const requestId = properties[OWNER_PROPERTIES.requestKey] as string;
    const existing = await this.store.findByRequestKey(caller, requestId);
    if (!existing) {
      throw new ConflictError(`A ${this.model.name} with the id '${entity.id}' already exists.`);
    }
    if (existing.createFingerprint !== fingerprint) {
      throw new RequestIdConflictError(
        `The requestId '${requestId}' was already used in partner tenant '${partnerTenantId}' ` +
          `to create the ${this.model.name} '${existing.entity.id}' with a different request body.`,
      );
    }
    return { entity: typed(existing.entity), created: false };
  }

  /**
   * The entity (404 when it is not the caller's); with `projection`, only what a response needs
   * of it (see ReadProjection).
   */
  async get(
    caller: Caller,
    id: string,
    within?: RowConstraint,
    projection?: ReadProjection,
  ): Promise<Entity<Properties>> {
    const entity = await this.store.findById(caller, id, within, projection);
    if (!entity) throw new ItemNotFoundError(this.model.entitySetName, id);
    return typed(entity);
  }

  /** Whether the caller's tenant has the entity (a principal a navigation starts from). */
  async exists(caller: Caller, id: string): Promise<boolean> {
    return (await this.store.findById(caller, id, undefined, KEY_ONLY)) !== undefined;
  }

  /**
   * One page of a collection read: at most `pageSize` entities (and no more than `$top` allows),
   * where the next page starts when there is one, and the count when `$count=true`.
   */
  async list(
    caller: Caller,
    request: CollectionRequest,
    within?: RowConstraint,
  ): Promise<EntityPage<Properties>> {
    const limit = Math.min(request.pageSize, request.remaining ?? Number.MAX_SAFE_INTEGER);
    const projection = readProjectionOf(this.model, {
      select: request.query.select,
      expand: request.expand,
    });
    const query = projection ? { ...request.query, projection } : request.query;
    const [rows, count] = await Promise.all([
      limit > 0
        ? this.store.findPage(caller, query, request.position?.keys, limit + 1, within)
        : [],
      request.query.count ? this.store.count(caller, request.query, within) : undefined,
    ]);
    const page = rows.slice(0, limit);
    const remaining = request.remaining === undefined ? undefined : request.remaining - page.length;
    const hasMore = rows.length > limit && (remaining === undefined || remaining > 0);
    return {
      entities: page.map((row) => typed<Properties>(row.entity)),
      count,
      next: hasMore ? { keys: page[page.length - 1].position, remaining } : undefined,
    };
  }

  /** One page of a delta query (see delta-pages.ts). */
  async delta(
    caller: Caller,
    request: DeltaRequest,
    within?: RowConstraint,
  ): Promise<DeltaPage<Properties>> {
    const parentId = this.reference && within ? within[this.reference.property] : undefined;
    const page = await deltaPage(this.store, this.changes, caller, request, within, parentId);
    return {
      ...page,
      entities: page.entities.map((entity) => typed<Properties>(entity)),
    };
  }

  /**
   * The rows of many principals (`$expand`): those whose `property` is one of `values`, at most
   * `limit` each, in one query whatever the number of principals.
   */
  related(
    caller: Caller,
    property: string,
    values: readonly string[],
    query: PageQuery & { readonly count?: boolean },
    limit: number,
  ): Promise<RelatedRows> {
    return this.store.findRelated(caller, property, values, query, limit);
  }

  count(
    caller: Caller,
    query: Pick<CollectionQuery, 'filter' | 'search'>,
    within?: RowConstraint,
  ): Promise<number> {
    return this.store.count(caller, query, within);
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
    within?: RowConstraint,
  ): Promise<Entity<Properties>> {
    return this.change(caller, id, write, condition, within, 'update', (current, changes) => {
      const properties: Record<string, unknown> = { ...current.properties };
      for (const [name, value] of Object.entries(changes)) {
        properties[name] = mergeValue(this.model.properties[name], properties[name], value);
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
    within?: RowConstraint,
  ): Promise<Entity<Properties>> {
    return this.change(caller, id, write, condition, within, 'replace', (current, replacement) => {
      replacement = withCreateDefaults(
        this.model,
        this.withConstraint(replacement, within),
        caller,
        current.properties,
      );
      const properties: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(replacement)) {
        properties[name] = keepUnsentSecrets(
          this.model.properties[name],
          current.properties[name],
          value,
        );
      }
      return { properties, dynamicProperties: { ...write.dynamic } };
    });
  }

  /** An update of one entity: the key cannot change, If-Match is checked on the stored version. */
  private async change(
    caller: Caller,
    id: string,
    write: EntityWrite,
    condition: EntityTagCondition | undefined,
    within: RowConstraint | undefined,
    kind: 'update' | 'replace',
    apply: (
      current: Entity,
      sent: Record<string, unknown>,
    ) => Pick<Entity, 'properties' | 'dynamicProperties'>,
  ): Promise<Entity<Properties>> {
    const { [this.model.key]: requestedId, ...sent } = write.declared;
    requireOwnTenantAndUser(caller, sent);
    if (requestedId !== undefined && requestedId !== id) {
      throw new InvalidRequestError(
        `'${this.model.key}' cannot be changed (from '${id}' to '${String(requestedId)}').`,
      );
    }
    this.withConstraint(sent, within);
    for (const rule of this.rulesOfSet()) await rule.checkChange?.(caller, id, sent, kind);
    const audited = await this.audited(caller, kind, id, write, sent);
    let updated: Entity | undefined;
    try {
      updated = await this.store.update(
        caller,
        id,
        (current) => {
          this.requireMatch(current, condition);
          const changed = apply(current, sent);
          return {
            ...current,
            ...changed,
            properties: this.completed(changed.properties, current.properties),
            lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
          };
        },
        within,
        audited,
      );
    } catch (error) {
      throw error instanceof MissingPrincipalError ? this.missingPrincipal(sent, caller) : error;
    }
    if (!updated) throw new ItemNotFoundError(this.model.entitySetName, id);
    return typed(updated);
  }

  /** The audit event of a client's write, to be written with it. */
  private audited(
    caller: Caller,
    kind: 'create' | 'update' | 'replace' | 'delete',
    id: string,
    write: EntityWrite | undefined,
    properties: Readonly<Record<string, unknown>>,
  ) {
    return this.audit.companion(caller, {
      partnerTenantId: caller.tenantId,
      activity: `${this.model.entitySetName}.${kind}`,
      category: this.model.entitySetName,
      body: write ? { ...write.declared, ...write.dynamic } : undefined,
      bodyType: this.model,
      tenantIds: tenantIdsOf(this.model, id, properties),
    });
  }

  /** The properties as the set's rules complete them (EntitySetPolicy.completeWrite). */
  private completed(
    properties: Record<string, unknown>,
    current: Readonly<Record<string, unknown>> | undefined,
  ): Record<string, unknown> {
    for (const rule of this.rulesOfSet()) {
      if (rule.completeWrite) properties = rule.completeWrite(properties, current);
    }
    return properties;
  }

  /** Deletes the entity, and with it the dependents the model cascades to. */
  async remove(
    caller: Caller,
    id: string,
    condition?: EntityTagCondition,
    within?: RowConstraint,
  ): Promise<void> {
    const audited = await this.audited(caller, 'delete', id, undefined, {});
    const deleted = await this.store.delete(
      caller,
      id,
      (current) => this.requireMatch(current, condition),
      within,
      audited,
    );
    if (!deleted) throw new ItemNotFoundError(this.model.entitySetName, id);
  }

  /**
   * The properties of a write through a navigation, with the constraint's values implied; a
   * value sent that contradicts the navigation is the client's mistake.
   */
  private withConstraint(
    properties: Record<string, unknown>,
    within: RowConstraint | undefined,
  ): Record<string, unknown> {
    if (!within) return properties;
    for (const [name, value] of Object.entries(within)) {
      if (properties[name] !== undefined && properties[name] !== value) {
        throw new InvalidRequestError(
          `'${name}' is '${value}' for a ${this.model.name} created or changed through this URL, ` +
            `not '${String(properties[name])}'.`,
        );
      }
    }
    return { ...properties, ...within };
  }

  /** The 400 of a reference to a principal the caller's tenant does not have. */
  private missingPrincipal(
    properties: Record<string, unknown>,
    caller: Caller,
  ): InvalidRequestError {
    const { property, principal } = this.reference ?? { property: '?', principal: this.model };
    return new InvalidRequestError(
      `${property} '${String(properties[property])}' names no ${principal.name} of partner ` +
        `tenant '${caller.tenantId}'.`,
    );
  }

  /** If-Match (OData Protocol 4.01 §11.4.1.1): the change applies only to the version the client saw. */
  private requireMatch(current: Entity, condition: EntityTagCondition | undefined): void {
    if (condition && !conditionMatches(condition, entityTagOf(current))) {
      throw new PreconditionFailedError(
        `The ${this.model.name} '${current.id}' has changed since the ETag given in If-Match (it is now ${entityTagOf(current)}).`,
      );
    }
  }
}

/**
 * An entity of this set with its properties typed from the model. The one place the wide type
 * becomes the derived one: the store reads and writes only what the model declares, and every
 * write was validated against it (src/edm/entity-write.ts).
 */
function typed<Properties extends object>(entity: Entity): Entity<Properties> {
  return entity as unknown as Entity<Properties>;
}
