import { Entity, RowConstraint } from '../../edm/entity';
import { EntityType } from '../../edm/model';
import { CollectionQuery } from '../../odata/query/checked-query';
import { SqlSession } from '../sql-executor';

export * from './store-errors';

/** The partner tenant whose rows a store call may see and change. */
export interface TenantScope {
  readonly tenantId: string;
}

export type { RowConstraint };

/**
 * A write that belongs with an entity's (its audit event): it runs on the session of the
 * entity's write, so that both are kept or neither is.
 */
export type CompanionWrite = (session: SqlSession) => Promise<void>;

/**
 * A query of a collection read, as the store runs it; with a projection, its rows hold what a
 * response needs (see ReadProjection).
 */
export type PageQuery = Pick<CollectionQuery, 'filter' | 'search' | 'orderBy' | 'skip'> & {
  readonly projection?: ReadProjection;
};
export type CountQuery = Pick<CollectionQuery, 'filter' | 'search'>;

/**
 * The stored properties a read needs, when it needs only some (a response to `$select`, a
 * check that the row exists): the rest is not read, decoded or parsed (an operation's target may
 * list thousands of tenants). The key columns, the timestamps and the tenant are always read; a
 * read by key reads the row constraint's properties too (the row is checked against them), a
 * page its sort keys, an `$expand`'s related rows the property they are grouped by. The entity
 * read holds no other property: it goes into a response, never back into a write.
 */
export interface ReadProjection {
  readonly properties: readonly string[];
  /** Whether the open type's dynamic properties are read. */
  readonly dynamicProperties: boolean;
}

/** A row of a page, with its sort key values to continue from. */
export interface PageRow {
  readonly entity: Entity;
  readonly position: unknown[];
}

/** The rows related to each of many principals, at most `limit` each, and how many there are. */
export interface RelatedRows {
  readonly rows: ReadonlyMap<string, Entity[]>;
  readonly counts?: ReadonlyMap<string, number>;
}

/**
 * What the entity sets need of the database, for one entity type (one table), typed by the
 * properties of that type (`EntityStore<ManagedTenantOperationProperties>`; untyped where code
 * serves every type alike).
 */
export interface EntityStore<Properties extends object = Entity['properties']> {
  readonly entity: EntityType;
  insert(
    tenant: TenantScope,
    entity: Entity<Properties>,
    createFingerprint?: string,
    also?: CompanionWrite,
  ): Promise<void>;
  findByRequestKey(
    tenant: TenantScope,
    requestId: string,
  ): Promise<{ entity: Entity<Properties>; createFingerprint: string | null } | undefined>;
  insertMany(entities: readonly Entity<Properties>[], batchSize?: number): Promise<void>;
  /** The tenant's entity, or with `projection` the part of it a response needs. */
  findById(
    tenant: TenantScope,
    id: string,
    within?: RowConstraint,
    projection?: ReadProjection,
  ): Promise<Entity<Properties> | undefined>;
  /** The tenant's rows among `ids` (those that exist), in no particular order, without secrets. */
  findByIds(
    tenant: TenantScope,
    ids: readonly string[],
    within?: RowConstraint,
  ): Promise<Entity<Properties>[]>;
  /** A page of rows, for a response: write-only (secret) values are not in them. */
  findPage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): Promise<PageRow[]>;
  describePage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): [string, unknown[]];
  count(tenant: TenantScope, query: CountQuery, within?: RowConstraint): Promise<number>;
  /**
   * The rows whose `property` is one of `values`, each group in the query's order and cut at
   * `limit`, in one statement whatever the number of values (`$expand`).
   */
  findRelated(
    tenant: TenantScope,
    property: string,
    values: readonly string[],
    query: PageQuery & { readonly count?: boolean },
    limit: number,
  ): Promise<RelatedRows>;
  /**
   * Changes the row as `change` says, at the version it read. `change` may return `current`
   * itself: then nothing is written (no new version, no change in the feed).
   */
  update(
    tenant: TenantScope,
    id: string,
    change: (current: Entity<Properties>) => Entity<Properties>,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<Entity<Properties> | undefined>;
  delete(
    tenant: TenantScope,
    id: string,
    check?: (current: Entity<Properties>) => void,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<boolean>;
}
