import { Entity } from '../../edm/entity';
import { KeyedSerializer } from '../keyed-serializer';
import {
  ConcurrentChangeError,
  writeFailure,
  PageQuery,
  PageRow,
  refuseMistypedQuery,
  RowConstraint,
  TenantScope,
} from './entity.store';
import { EntityStoreBase } from './entity-store-base';
import { requireOwnTenant, satisfies } from './row-scope';

/** How often a write that lost a race with another writer is tried in all. */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * An entity type's rows on PostgreSQL, which many instances share. Statements by key run on the
 * storage executor (the pool, or the connection of a unit of work), with the text the SQLite store
 * prepares too; queries are the QueryBuilder's, as on SQLite. Every write is conditional on the
 * version it read, retried a few times when another writer came first, so that any number of
 * instances can share the database.
 */
export class PostgresEntityStore extends EntityStoreBase {
  private readonly rowWrites = new KeyedSerializer();

  async insert(tenant: TenantScope, entity: Entity, createFingerprint?: string): Promise<void> {
    requireOwnTenant(tenant, entity);
    const row = this.toRow(entity, createFingerprint);
    try {
      await this.db.run(this.keySql.insert, this.boundValues(row, this.columns));
    } catch (error) {
      throw writeFailure(error);
    }
  }

  async findById(
    tenant: TenantScope,
    id: string,
    within?: RowConstraint,
  ): Promise<Entity | undefined> {
    const row = await this.db.get(this.keySql.selectById, [id, tenant.tenantId]);
    if (!row) return undefined;
    const entity = this.entityFromRaw(row, false);
    return satisfies(entity, within) ? entity : undefined;
  }

  async findPage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): Promise<PageRow[]> {
    const { shape, parameters } = this.pageShape(tenant, query, after, limit, within);
    const rows = await refuseMistypedQuery(
      this.pageQueryOf(shape).setParameters(parameters).getRawMany<Record<string, unknown>>(),
    );
    return this.toPageRows(rows, shape);
  }

  /**
   * Reads the tenant's row, lets `change` compute its new state (or throw), and stores it. The
   * UPDATE is conditional on the version read (never a blind write): if another writer changed
   * the row in between, nothing is written and the whole step runs again on the new state, so
   * `change` (which checks If-Match) sees it.
   */
  update(
    tenant: TenantScope,
    id: string,
    change: (current: Entity) => Entity,
    within?: RowConstraint,
  ): Promise<Entity | undefined> {
    return this.retryOnConcurrentChange(id, () =>
      this.writer.run(async () => {
        const current = await this.findById(tenant, id, within);
        if (!current) return undefined;
        const next = change(current);
        const values = this.boundValues(this.toRow(next), this.dataColumns);
        const changed = await this.db
          .run(this.keySql.update, [...values, id, tenant.tenantId, current.lastModifiedDateTime])
          .catch((error) => {
            throw writeFailure(error);
          });
        if (changed === 0) throw new ConcurrentChangeError(this.entity.name, id);
        return next;
      }),
    );
  }

  /** Deletes the row (and, by the foreign keys, its dependents) if `check` does not throw. */
  delete(
    tenant: TenantScope,
    id: string,
    check: (current: Entity) => void = () => undefined,
    within?: RowConstraint,
  ): Promise<boolean> {
    return this.retryOnConcurrentChange(id, () =>
      this.writer.run(async () => {
        const current = await this.findById(tenant, id, within);
        if (!current) return false;
        check(current);
        const changed = await this.db.run(this.keySql.delete, [
          id,
          tenant.tenantId,
          current.lastModifiedDateTime,
        ]);
        if (changed === 0) throw new ConcurrentChangeError(this.entity.name, id);
        return true;
      }),
    );
  }

  /**
   * Runs a read-check-write step again when another writer won the race, a few times; a row that
   * keeps changing under it is a 412 for the client to retry. Inside an atomic $batch group the
   * group's transaction decides, so the step runs once. Writes of one row within this instance
   * queue by its id.
   */
  private async retryOnConcurrentChange<T>(id: string, step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await (this.transactions.manager ? step() : this.rowWrites.run(id, step));
      } catch (error) {
        const retry =
          error instanceof ConcurrentChangeError &&
          attempt < MAX_WRITE_ATTEMPTS &&
          !this.transactions.manager;
        if (!retry) throw error;
        await new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
      }
    }
  }
}
