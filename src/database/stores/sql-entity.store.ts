import { Entity } from '../../edm/entity';
import { containerKeyOf } from '../../edm/model';
import { KeyedSerializer } from '../keyed-serializer';
import { SqlArrays, SqlSession } from '../sql-executor';
import {
  CompanionWrite,
  ConcurrentChangeError,
  PageQuery,
  PageRow,
  ReadProjection,
  RowConstraint,
  TenantScope,
  writeFailure,
} from './entity.store';
import { EntityStoreBase } from './entity-store-base';
import { PageShape } from './page-shape';
import { projectedColumns } from './projected-columns';
import { requireOwnTenant, satisfies } from './row-scope';
import { isLostRace, isTransactionClash, refuseMistypedQuery } from './store-errors';

/** How often a write that lost a race with another writer is tried in all. */
const MAX_WRITE_ATTEMPTS = 5;
/** Page queries whose SQL (and row reader) is kept, by their shape. */
const MAX_CACHED_PAGE_SHAPES = 200;

/**
 * An entity type's rows, on the storage executor of either database. Statements by key are one
 * text for both (entity-key-statements.ts); queries are built by the QueryBuilder once per
 * shape and run on the executor like the rest, their rows read as arrays by a reader made once
 * per statement. A change is a transaction that reads the row, lets the caller compute its new
 * state, and writes it at the version read: on SQLite the transaction has the one writer to
 * itself; on PostgreSQL, where instances share the rows, a write that finds the row changed by
 * another writer writes nothing and the whole step runs again on the new state.
 */
export class SqlEntityStore extends EntityStoreBase {
  private readonly rowWrites = new KeyedSerializer();
  private readonly pages = new Map<string, PageStatement>();
  private readonly readers = new Map<string, (values: readonly unknown[]) => Entity>();
  private readonly containerKey = containerKeyOf(this.entity);
  /** Reads by key of some columns (projections), by the columns they read. */
  private readonly projectedReads = new Map<string, string>();

  async insert(
    tenant: TenantScope,
    entity: Entity,
    createFingerprint?: string,
    also?: CompanionWrite,
  ): Promise<void> {
    requireOwnTenant(tenant, entity);
    const values = this.boundValues(this.toRow(entity, createFingerprint), this.columns);
    try {
      if (!also) await this.db.run(this.keySql.insert, values);
      else {
        await this.db.transaction(async (session) => {
          await session.run(this.keySql.insert, values);
          await also(session);
        });
      }
    } catch (error) {
      throw writeFailure(error);
    }
  }

  /**
   * Inserts many entities in one transaction, whatever their tenants, as many to a statement as
   * `batchSize` and the database's bound parameters allow: for listings of a partner's customers,
   * bulk loads and benchmarks, never for a request.
   */
  async insertMany(entities: readonly Entity[], batchSize = 500): Promise<void> {
    const perStatement = Math.max(
      1,
      Math.min(batchSize, Math.floor(this.db.dialect.maxParameters / this.columns.length)),
    );
    try {
      await this.db.transaction(async (session) => {
        for (let start = 0; start < entities.length; start += perStatement) {
          const chunk = entities.slice(start, start + perStatement);
          await session.run(
            this.keySql.insertRows(chunk.length),
            chunk.flatMap((entity) => this.boundValues(this.toRow(entity), this.columns)),
          );
        }
      });
    } catch (error) {
      throw writeFailure(error);
    }
  }

  findById(
    tenant: TenantScope,
    id: string,
    within?: RowConstraint,
    projection?: ReadProjection,
  ): Promise<Entity | undefined> {
    return this.findByIdOn(this.db, tenant, id, within, projection);
  }

  /**
   * The SQL of each shape of query is written once (values are parameters, so shapes repeat),
   * and so is the reader of its rows.
   */
  async findPage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): Promise<PageRow[]> {
    const { shape, parameters } = this.pageShape(tenant, query, after, limit, within);
    const key = JSON.stringify(shape);
    let page = this.pages.get(key);
    if (!page) {
      page = { shape, namedSql: this.pageQueryOf(shape).getQuery() };
      remember(this.pages, key, page);
    }
    const [sql, values] = this.rows.manager.connection.driver.escapeQueryWithParameters(
      page.namedSql,
      parameters,
    );
    const found = await refuseMistypedQuery(this.db.arrays(sql, values));
    if (found.rows.length === 0) return [];
    page.read ??= this.pageRowReader(found.columns, page.shape);
    return found.rows.map(page.read);
  }

  update(
    tenant: TenantScope,
    id: string,
    change: (current: Entity) => Entity,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<Entity | undefined> {
    return this.changeRow(id, async (session) => {
      const current = await this.findByIdOn(session, tenant, id, within);
      if (!current) return undefined;
      const next = change(current);
      if (next === current) return current;
      const values = this.boundValues(this.toRow(next), this.keySql.updatedColumns);
      const changed = await session
        .run(this.keySql.update, [
          ...values,
          ...this.keyValues(id, within),
          tenant.tenantId,
          current.lastModifiedDateTime,
        ])
        .catch((error: unknown) => {
          throw writeFailure(error);
        });
      if (changed === 0) throw new ConcurrentChangeError(this.entity.name, id);
      await also?.(session);
      return next;
    });
  }

  /** Deletes the row (and, by the foreign keys, its dependents) if `check` does not throw. */
  delete(
    tenant: TenantScope,
    id: string,
    check: (current: Entity) => void = () => undefined,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<boolean> {
    return this.changeRow(id, async (session) => {
      const current = await this.findByIdOn(session, tenant, id, within);
      if (!current) return false;
      check(current);
      const changed = await session.run(this.keySql.delete, [
        ...this.keyValues(id, within),
        tenant.tenantId,
        current.lastModifiedDateTime,
      ]);
      if (changed === 0) throw new ConcurrentChangeError(this.entity.name, id);
      await also?.(session);
      return true;
    });
  }

  private findByIdOn(
    session: SqlSession,
    tenant: TenantScope,
    id: string,
    within: RowConstraint | undefined,
    projection?: ReadProjection,
  ): Promise<Entity | undefined> {
    const sql = projection ? this.projectedRead(projection, within) : this.keySql.selectById;
    return session.arrays(sql, [...this.keyValues(id, within), tenant.tenantId]).then((found) => {
      if (found.rows.length === 0) return undefined;
      const entity = this.readerOf(sql, found, projection !== undefined)(found.rows[0]);
      return satisfies(entity, within) ? entity : undefined;
    });
  }

  /**
   * The read by key of a projection (see projectedColumns), with the constraint's columns, which
   * the row is checked against: one statement per set of columns.
   */
  private projectedRead(projection: ReadProjection, within: RowConstraint | undefined): string {
    const columns = projectedColumns(
      this.entity,
      this.dataColumns,
      projection,
      Object.keys(within ?? {}),
    );
    const key = columns.join(',');
    let sql = this.projectedReads.get(key);
    if (!sql) {
      sql = this.keySql.selectColumnsById(columns);
      remember(this.projectedReads, key, sql);
    }
    return sql;
  }

  /**
   * The values of the key columns (entity-key-statements.ts): the key, and a contained type's
   * container key, which its reads must name (`within`).
   */
  private keyValues(id: string, within: RowConstraint | undefined): unknown[] {
    if (!this.containerKey) return [id];
    const container = within?.[this.containerKey];
    if (container === undefined) {
      throw new Error(`${this.entity.name} is read within its container only.`);
    }
    return [id, container];
  }

  /** The reader of a statement by key's rows (with secrets: they are written back). */
  private readerOf(
    sql: string,
    found: SqlArrays,
    partial: boolean,
  ): (values: readonly unknown[]) => Entity {
    let read = this.readers.get(sql);
    if (!read) {
      read = this.rowReader(found.columns, false, true, partial);
      remember(this.readers, sql, read);
    }
    return read;
  }

  /**
   * A read-check-write step in one transaction, run again when another writer won the race or
   * when the database ended the transaction to settle a deadlock with another (a DELETE cascading
   * into rows a finishing run writes, say), a few times; a row that keeps changing under it is a
   * 412 for the client to retry. Inside a unit of work (an atomic $batch group) the unit's
   * transaction decides, so the step runs once.
   * Where instances share the database, changes of one row within this instance queue by its id
   * (one process's database orders every write already).
   */
  private async changeRow<T>(id: string, step: (session: SqlSession) => Promise<T>): Promise<T> {
    const once = () => this.db.transaction(step);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const queued = !this.transactions.manager && !this.db.singleProcess;
        return await (queued ? this.rowWrites.run(id, once) : once());
      } catch (error) {
        const retry =
          isLostRace(error) && attempt < MAX_WRITE_ATTEMPTS && !this.transactions.manager;
        if (!retry) {
          throw isTransactionClash(error) ? new ConcurrentChangeError(this.entity.name, id) : error;
        }
        await new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
      }
    }
  }
}

/** A shape of page query: its SQL with named parameters, and the reader of its rows. */
interface PageStatement {
  readonly shape: PageShape;
  readonly namedSql: string;
  read?: (values: readonly unknown[]) => PageRow;
}

/** Adds to a bounded cache, forgetting the oldest entry when it is full. */
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHED_PAGE_SHAPES) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}
