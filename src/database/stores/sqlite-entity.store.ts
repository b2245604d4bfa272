import { Entity } from '../../edm/entity';
import { sharedGroupCommit, SqliteTransactions } from '../group-commit';
import { EntityRow } from '../entity-schema';
import {
  ConcurrentChangeError,
  writeFailure,
  PageQuery,
  PageRow,
  RowConstraint,
  TenantScope,
} from './entity.store';
import { EntityStoreBase, PageShape } from './entity-store-base';
import { requireOwnTenant, satisfies } from './row-scope';

/**
 * An entity type's rows on SQLite. The hot paths (read, insert and update by key, page queries)
 * run on prepared better-sqlite3 statements of the one connection TypeORM opened, instead of
 * SQL that TypeORM would build on every call, which cost most of a request. Writes are
 * serialised (SQLite has one writer) and group-committed: the writes that arrive in one turn of
 * the event loop share one transaction and one fsync (src/database/group-commit.ts). Inside an
 * atomic $batch group a write runs at once, in the group's transaction.
 */
export class SqliteEntityStore extends EntityStoreBase {
  private prepared?: PreparedStatements;
  /** Statements of page queries, by SQL text (values are bound, so the texts repeat). */
  private readonly pageStatements = new Map<string, PageStatement>();
  /** The SQL (named parameters) of page queries, by their shape. */
  private readonly pageSqlByShape = new Map<string, string>();

  async insert(tenant: TenantScope, entity: Entity, createFingerprint?: string): Promise<void> {
    requireOwnTenant(tenant, entity);
    const values = this.sqlValues(this.toRow(entity, createFingerprint), this.columns);
    await this.write(() => {
      try {
        this.statements.insert.run(...values);
      } catch (error) {
        throw writeFailure(error);
      }
    });
  }

  findById(tenant: TenantScope, id: string, within?: RowConstraint): Promise<Entity | undefined> {
    return Promise.resolve(this.findByIdNow(tenant, id, within));
  }

  private findByIdNow(
    tenant: TenantScope,
    id: string,
    within: RowConstraint | undefined,
  ): Entity | undefined {
    const { selectById, readById } = this.statements;
    const values = selectById.get(id, tenant.tenantId) as unknown[] | undefined;
    if (!values) return undefined;
    const entity = readById(values);
    return satisfies(entity, within) ? entity : undefined;
  }

  /**
   * The QueryBuilder writes the SQL of each shape of query once (values are parameters, so
   * shapes repeat); it runs on a cached prepared statement, and the raw rows are mapped here,
   * which skips TypeORM's re-preparation and entity hydration, most of a page's cost.
   */
  findPage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): Promise<PageRow[]> {
    const { shape, parameters } = this.pageShape(tenant, query, after, limit, within);
    const key = JSON.stringify(shape);
    let namedSql = this.pageSqlByShape.get(key);
    if (namedSql === undefined) {
      namedSql = this.pageQueryOf(shape).getQuery();
      remember(this.pageSqlByShape, key, namedSql);
    }
    const [sql, values] = this.rows.manager.connection.driver.escapeQueryWithParameters(
      namedSql,
      parameters,
    );
    const page = this.pageStatementFor(sql, shape);
    return Promise.resolve(page.statement.all(...values).map(page.read));
  }

  /**
   * Reads the tenant's row, lets `change` compute its new state (or throw), and stores it, in
   * one synchronous step of the write queue, so nothing can change the row in between.
   */
  update(
    tenant: TenantScope,
    id: string,
    change: (current: Entity) => Entity,
    within?: RowConstraint,
  ): Promise<Entity | undefined> {
    return this.write(() => {
      const current = this.findByIdNow(tenant, id, within);
      if (!current) return undefined;
      const next = change(current);
      const values = this.sqlValues(this.toRow(next), this.dataColumns);
      let changes: number;
      try {
        ({ changes } = this.statements.update.run(
          ...values,
          id,
          tenant.tenantId,
          current.lastModifiedDateTime,
        ));
      } catch (error) {
        throw writeFailure(error);
      }
      if (changes === 0) throw new ConcurrentChangeError(this.entity.name, id);
      return next;
    });
  }

  /** Deletes the row (and, by the foreign keys, its dependents) if `check` does not throw. */
  delete(
    tenant: TenantScope,
    id: string,
    check: (current: Entity) => void = () => undefined,
    within?: RowConstraint,
  ): Promise<boolean> {
    return this.write(() => {
      const current = this.findByIdNow(tenant, id, within);
      if (!current) return false;
      check(current);
      const { changes } = this.statements.delete.run(
        id,
        tenant.tenantId,
        current.lastModifiedDateTime,
      );
      return changes > 0;
    });
  }

  /**
   * A write on SQLite. Inside an atomic $batch group it runs at once, in the group's transaction
   * (the group holds the write queue); otherwise it is group-committed with the writes that
   * arrived with it.
   */
  private write<T>(write: () => T): Promise<T> {
    if (this.transactions.manager) return this.writer.run(async () => write());
    return sharedGroupCommit(this.writer, () => this.connection).run(write);
  }

  /** The statements by key (the text both stores share), prepared once on the connection. */
  private get statements(): PreparedStatements {
    if (!this.prepared) {
      const connection = this.connection;
      const selectById = connection.prepare(this.keySql.selectById).raw(true);
      this.prepared = {
        selectById,
        readById: this.rowReader(
          selectById.columns().map((column) => column.name),
          false,
          true,
        ),
        insert: connection.prepare(this.keySql.insert),
        update: connection.prepare(this.keySql.update),
        delete: connection.prepare(this.keySql.delete),
      };
    }
    return this.prepared;
  }

  /**
   * A page query's statement in raw mode (rows as arrays: no object of a dozen named properties
   * per row, which was the larger part of reading a page) and the reader of its rows.
   */
  private pageStatementFor(sql: string, shape: PageShape): PageStatement {
    let page = this.pageStatements.get(sql);
    if (!page) {
      const statement = this.connection.prepare(sql).raw(true);
      page = {
        statement,
        read: this.pageRowReader(
          statement.columns().map((column) => column.name),
          shape,
        ),
      };
      remember(this.pageStatements, sql, page);
    }
    return page;
  }

  private get connection(): SqliteConnection {
    return (
      this.rows.manager.connection.driver as unknown as { databaseConnection: SqliteConnection }
    ).databaseConnection;
  }

  /** A row's values as SQLite stores them, in `columns` order (see storedColumnValue). */
  private sqlValues(row: EntityRow, columns: readonly string[]): unknown[] {
    return this.boundValues(row, columns).map((value) =>
      typeof value === 'boolean' ? Number(value) : value,
    );
  }
}

/** better-sqlite3's connection and statements, as far as this store uses them. */
interface SqliteStatement {
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number };
  /** Rows as arrays of values, in the order of columns(). */
  raw(toggle: true): RawSqliteStatement;
  columns(): Array<{ name: string }>;
}
interface RawSqliteStatement {
  get(...parameters: unknown[]): unknown[] | undefined;
  all(...parameters: unknown[]): unknown[][];
  columns(): Array<{ name: string }>;
}
interface PageStatement {
  readonly statement: RawSqliteStatement;
  readonly read: (values: readonly unknown[]) => PageRow;
}
interface SqliteConnection extends SqliteTransactions {
  prepare(sql: string): SqliteStatement;
}
interface PreparedStatements {
  readonly selectById: RawSqliteStatement;
  readonly readById: (values: readonly unknown[]) => Entity;
  readonly insert: SqliteStatement;
  readonly update: SqliteStatement;
  readonly delete: SqliteStatement;
}

const MAX_CACHED_PAGE_STATEMENTS = 200;

/** Adds to a bounded cache, forgetting the oldest entry when it is full. */
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHED_PAGE_STATEMENTS) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}
