import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository, SelectQueryBuilder } from 'typeorm';
import { InvalidRequestError, PreconditionFailedError } from '../common/errors';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { SqliteGroupCommit, SqliteTransactions } from '../database/group-commit';
import { KeyedSerializer } from '../database/keyed-serializer';
import { SerialWriter } from '../database/serial-writer';
import { TransactionContext } from '../database/transaction-context';
import { DYNAMIC_PROPERTIES_COLUMN, EntityRow } from '../database/entity-schema';
import { managedTenantOperation as model } from '../edm/model';
import { mapSecretValues } from '../edm/secrets';
import { CollectionQuery } from '../odata/query/checked-query';
import { dialectNamed, SqlDialect } from '../odata/query/sql-dialect';
import { SqlTranslator } from '../odata/query/sql-translator';
import { ManagedTenantOperation } from './managed-tenant-operation';
import {
  CREATE_FINGERPRINT_COLUMN,
  MANAGED_TENANT_OPERATIONS_TABLE,
  managedTenantOperationSchema,
} from './managed-tenant-operation.schema';

const ROW_ALIAS = 'o';
/** The column that says whose an operation is: every read and write is scoped by it. */
const TENANT_COLUMN = 'partnerTenantId';

/** The partner tenant whose operations a repository call may see and change. */
export interface TenantScope {
  readonly tenantId: string;
}
const SEARCHABLE_COLUMNS = Object.entries(model.properties)
  .filter(([, property]) => property.searchable)
  .map(([name]) => name);

/**
 * Persistence of managed tenant operations. The only place that knows the row layout: complex
 * values are JSON columns, dynamic properties one JSON column, and secrets are encrypted here on
 * the way in and decrypted on the way out, bound to the row's id.
 *
 * On SQLite, the hot paths run on prepared better-sqlite3 statements of the one connection. On
 * PostgreSQL, every statement goes through TypeORM and the connection pool (or the connection of
 * an atomic $batch group's transaction), and every write is conditional, so that any number of
 * instances can share the database.
 */
@Injectable()
export class ManagedTenantOperationsRepository {
  private prepared?: PreparedStatements;
  /** Statements of page queries, by SQL text (values are bound, so the texts repeat). */
  private readonly pageStatements = new Map<string, SqliteStatement>();
  /** The SQL (named parameters) of page queries, by their shape. */
  private readonly pageSqlByShape = new Map<string, string>();
  private readonly dialect: SqlDialect;
  private readonly rowWrites = new KeyedSerializer();
  private groupCommit?: SqliteGroupCommit;

  constructor(
    @InjectRepository(managedTenantOperationSchema)
    private readonly rows: Repository<EntityRow>,
    private readonly cipher: CredentialsCipher,
    private readonly writer: SerialWriter,
    private readonly transactions: TransactionContext,
  ) {
    this.dialect = dialectNamed(
      rows.manager.connection.options.type === 'postgres' ? 'postgres' : 'sqlite',
    );
  }

  private get postgres(): boolean {
    return this.dialect.name === 'postgres';
  }

  /** The current $batch group's transaction, or the pool. */
  private get manager(): EntityManager {
    return this.transactions.manager ?? this.rows.manager;
  }

  /**
   * Inserts an operation of `tenant` with the fingerprint of the request that created it. A clash
   * with an existing row (same id, or same partnerTenantId and requestId) is a DuplicateOperationError.
   */
  async insert(
    tenant: TenantScope,
    operation: ManagedTenantOperation,
    createFingerprint?: string,
  ): Promise<void> {
    if (operation.properties[TENANT_COLUMN] !== tenant.tenantId) {
      throw new Error('An operation can only be inserted into its own partner tenant.');
    }
    const row = {
      ...this.toRow(operation),
      [CREATE_FINGERPRINT_COLUMN]: createFingerprint ?? null,
    };
    if (this.postgres) {
      await this.writer.run(async () => {
        try {
          await this.manager.insert(managedTenantOperationSchema, row);
        } catch (error) {
          throw isUniqueViolation(error) ? new DuplicateOperationError() : error;
        }
      });
      return;
    }
    await this.sqliteWrite(() => {
      try {
        this.statements.insert.run(toSqlValues(row));
      } catch (error) {
        throw isUniqueViolation(error) ? new DuplicateOperationError() : error;
      }
    });
  }

  /** The operation the tenant created with a requestId, and its create fingerprint. */
  async findByRequestKey(
    tenant: TenantScope,
    requestId: string,
  ): Promise<{ operation: ManagedTenantOperation; createFingerprint: string | null } | undefined> {
    const row = await this.manager.findOneBy(managedTenantOperationSchema, {
      [TENANT_COLUMN]: tenant.tenantId,
      requestId,
    });
    if (!row) return undefined;
    return {
      operation: this.toDomain(row),
      createFingerprint: (row[CREATE_FINGERPRINT_COLUMN] as string | null) ?? null,
    };
  }

  /**
   * Inserts many operations in transactions of `batchSize` rows, whatever their tenants: for bulk
   * loads and benchmarks, never for a request.
   */
  async insertMany(operations: readonly ManagedTenantOperation[], batchSize = 500): Promise<void> {
    await this.writer.run(() =>
      this.rows.manager.transaction(async (manager) => {
        for (let start = 0; start < operations.length; start += batchSize) {
          const batch = operations.slice(start, start + batchSize).map((op) => this.toRow(op));
          await manager.insert(managedTenantOperationSchema, batch);
        }
      }),
    );
  }

  /**
   * The hot path of GET, PATCH and DELETE by key: one prepared statement, reused, instead of a
   * query built by TypeORM on every call (which cost most of a read; see `npm run bench`).
   */
  async findById(tenant: TenantScope, id: string): Promise<ManagedTenantOperation | undefined> {
    if (this.postgres) {
      const row = await this.manager.findOneBy(managedTenantOperationSchema, {
        id,
        [TENANT_COLUMN]: tenant.tenantId,
      });
      return row ? this.toDomain(row) : undefined;
    }
    return this.findByIdOnSqlite(tenant, id);
  }

  private findByIdOnSqlite(tenant: TenantScope, id: string): ManagedTenantOperation | undefined {
    const raw = this.statements.selectById.get(id, tenant.tenantId) as
      Record<string, unknown> | undefined;
    return raw ? this.toDomain(parseJsonColumns(raw)) : undefined;
  }

  /**
   * A write on SQLite. Inside an atomic $batch group it runs at once, in the group's transaction
   * (the group holds the write queue); otherwise it is group-committed with the writes that
   * arrived with it (src/database/group-commit.ts).
   */
  private sqliteWrite<T>(write: () => T): Promise<T> {
    if (this.transactions.manager) return this.writer.run(async () => write());
    this.groupCommit ??= new SqliteGroupCommit(this.writer, () => this.connection);
    return this.groupCommit.run(write);
  }

  /**
   * One page of the tenant's operations that match `query`, in its order, starting after `after`
   * (the sort key values of the previous page's last row) or at `query.skip`. Each row comes with
   * its own sort key values, to continue from.
   */
  async findPage(
    tenant: TenantScope,
    query: CollectionQuery,
    after: readonly unknown[] | undefined,
    limit: number,
  ): Promise<Array<{ operation: ManagedTenantOperation; position: unknown[] }>> {
    let rows: Array<Record<string, unknown>>;
    if (this.postgres) {
      rows = await refuseMistypedQuery(this.pageQuery(tenant, query, after, limit).getRawMany());
    } else {
      // The QueryBuilder writes the SQL of each shape of query once (values are parameters, so
      // shapes repeat); it runs on a cached prepared statement, and the raw rows are mapped here,
      // which skips TypeORM's re-preparation and entity hydration, most of a page's cost.
      const { shape, parameters } = this.pageShape(tenant, query, after, limit);
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
      rows = this.preparedFor(sql).all(...values) as Array<Record<string, unknown>>;
    }
    return rows.map((raw) => {
      const row: EntityRow = {};
      for (const [column, aliased] of ALIASED_COLUMNS) row[column] = raw[aliased];
      return {
        operation: this.toDomain(parseJsonColumns(row)),
        position: query.orderBy.map((_, key) => raw[`k${key}`]),
      };
    });
  }

  /** The SQL and parameters findPage runs, for review and for query-plan tests. */
  describePage(
    tenant: TenantScope,
    query: CollectionQuery,
    after: readonly unknown[] | undefined,
    limit: number,
  ): [string, unknown[]] {
    return this.pageQuery(tenant, query, after, limit).getQueryAndParameters();
  }

  /** How many of the tenant's operations match the query's $filter and $search. */
  async count(
    tenant: TenantScope,
    query: Pick<CollectionQuery, 'filter' | 'search'>,
  ): Promise<number> {
    const translator = new SqlTranslator(ROW_ALIAS, this.dialect);
    const builder = this.matching(tenant, query, translator);
    builder.setParameters(translator.parameters);
    return refuseMistypedQuery(builder.getCount());
  }

  private pageQuery(
    tenant: TenantScope,
    query: CollectionQuery,
    after: readonly unknown[] | undefined,
    limit: number,
  ): SelectQueryBuilder<EntityRow> {
    const { shape, parameters } = this.pageShape(tenant, query, after, limit);
    return this.pageQueryOf(shape).setParameters(parameters);
  }

  /**
   * A page query as SQL pieces with named parameters, and the parameters: the pieces depend on
   * the query's shape only, never on the values it compares with.
   */
  private pageShape(
    tenant: TenantScope,
    query: CollectionQuery,
    after: readonly unknown[] | undefined,
    limit: number,
  ): { shape: PageShape; parameters: Record<string, unknown> } {
    const translator = new SqlTranslator(ROW_ALIAS, this.dialect);
    const shape: PageShape = {
      filter: query.filter ? translator.condition(query.filter) : undefined,
      search: query.search ? translator.search(query.search, SEARCHABLE_COLUMNS) : undefined,
      after: after ? translator.after(query.orderBy, after) : undefined,
      order: query.orderBy.map((key) => ({
        value: translator.sortValue(key),
        direction: key.direction === 'desc' ? 'DESC' : 'ASC',
        nulls: translator.nullsOrder(key),
      })),
      limit,
      skip: query.skip || undefined,
    };
    return { shape, parameters: { scopeTenantId: tenant.tenantId, ...translator.parameters } };
  }

  private pageQueryOf(shape: PageShape): SelectQueryBuilder<EntityRow> {
    const builder = this.tenantRows();
    if (shape.filter) builder.andWhere(shape.filter);
    if (shape.search) builder.andWhere(shape.search);
    if (shape.after) builder.andWhere(shape.after);
    shape.order.forEach(({ value, direction, nulls }, index) => {
      builder.addSelect(value, `k${index}`);
      builder.addOrderBy(value, direction, nulls);
    });
    builder.limit(shape.limit);
    if (shape.skip) builder.offset(shape.skip);
    return builder;
  }

  /** The tenant's rows, the tenant bound as `:scopeTenantId`: every query starts here. */
  private tenantRows(): SelectQueryBuilder<EntityRow> {
    return this.manager
      .getRepository(managedTenantOperationSchema)
      .createQueryBuilder(ROW_ALIAS)
      .where(`"${ROW_ALIAS}"."${TENANT_COLUMN}" = :scopeTenantId`);
  }

  /**
   * The tenant's rows that match a query: the tenant condition comes first and always, so no
   * query option can reach another tenant's rows.
   */
  private matching(
    tenant: TenantScope,
    query: Pick<CollectionQuery, 'filter' | 'search'>,
    translator: SqlTranslator,
  ): SelectQueryBuilder<EntityRow> {
    const builder = this.tenantRows().setParameter('scopeTenantId', tenant.tenantId);
    if (query.filter) builder.andWhere(translator.condition(query.filter));
    if (query.search) builder.andWhere(translator.search(query.search, SEARCHABLE_COLUMNS));
    return builder;
  }

  /**
   * Reads the tenant's operation, lets `change` compute its new state (or throw), and stores it.
   * The UPDATE is conditional on the version read (never a blind write): if another writer (a
   * request of another instance, on PostgreSQL) changed the row in between, nothing is written and
   * the whole step runs again on the new state, so `change` (which checks If-Match) sees it.
   * Undefined: the tenant has no such operation.
   */
  async update(
    tenant: TenantScope,
    id: string,
    change: (current: ManagedTenantOperation) => ManagedTenantOperation,
  ): Promise<ManagedTenantOperation | undefined> {
    return this.retryOnConcurrentChange(id, () => {
      if (!this.postgres) {
        return this.sqliteWrite(() => {
          const current = this.findByIdOnSqlite(tenant, id);
          if (!current) return undefined;
          const next = change(current);
          const { changes } = this.statements.update.run({
            ...toSqlValues(this.toRow(next)),
            whereId: id,
            whereTenant: tenant.tenantId,
            whereVersion: current.lastModifiedDateTime,
          });
          if (changes === 0) throw new ConcurrentChangeError(model.name, id);
          return next;
        });
      }
      return this.writer.run(async () => {
        const current = await this.findById(tenant, id);
        if (!current) return undefined;
        const next = change(current);
        const changed = await this.updateRow(tenant, id, current.lastModifiedDateTime, next);
        if (changed === 0) throw new ConcurrentChangeError(model.name, id);
        return next;
      });
    });
  }

  /** Deletes the tenant's operation if `check` (given its current state) does not throw; false if there is none. */
  async delete(
    tenant: TenantScope,
    id: string,
    check: (current: ManagedTenantOperation) => void = () => undefined,
  ): Promise<boolean> {
    return this.retryOnConcurrentChange(id, () =>
      this.writer.run(async () => {
        const current = await this.findById(tenant, id);
        if (!current) return false;
        check(current);
        const result = await this.manager.delete(managedTenantOperationSchema, {
          id,
          [TENANT_COLUMN]: tenant.tenantId,
          lastModifiedDateTime: current.lastModifiedDateTime,
        });
        if ((result.affected ?? 0) === 0) throw new ConcurrentChangeError(model.name, id);
        return true;
      }),
    );
  }

  /**
   * Runs a read-check-write step again when another writer won the race, a few times; a row that
   * keeps changing under it is a 412 for the client to retry. Inside an atomic $batch group the
   * group's transaction decides, so the step runs once.
   */
  private async retryOnConcurrentChange<T>(id: string, step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // On SQLite the write queue already serialises; on PostgreSQL, writes of one entity
        // within this instance queue by its id.
        return await (this.postgres && !this.transactions.manager
          ? this.rowWrites.run(id, step)
          : step());
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

  /** UPDATE … WHERE the version is still the one read: 0 rows when another writer came first. */
  private async updateRow(
    tenant: TenantScope,
    id: string,
    version: string,
    next: ManagedTenantOperation,
  ): Promise<number> {
    const values = this.toRow(next);
    delete values.id;
    const result = await this.manager.update(
      managedTenantOperationSchema,
      { id, [TENANT_COLUMN]: tenant.tenantId, lastModifiedDateTime: version },
      values,
    );
    return result.affected ?? 0;
  }

  /**
   * The statements of the hot paths (read, insert, update by key), prepared once on the
   * connection TypeORM opened: most of the cost of a request was TypeORM building the same SQL.
   */
  private get statements(): PreparedStatements {
    if (!this.prepared) {
      const connection = this.connection;
      const table = `"${MANAGED_TENANT_OPERATIONS_TABLE}"`;
      const dataColumns = STORED_COLUMNS.filter((column) => column !== CREATE_FINGERPRINT_COLUMN);
      this.prepared = {
        selectById: connection.prepare(
          `SELECT * FROM ${table} WHERE "id" = ? AND "${TENANT_COLUMN}" = ?`,
        ),
        insert: connection.prepare(
          `INSERT INTO ${table} (${STORED_COLUMNS.map((c) => `"${c}"`).join(', ')}) ` +
            `VALUES (${STORED_COLUMNS.map((c) => `@${c}`).join(', ')})`,
        ),
        update: connection.prepare(
          `UPDATE ${table} SET ${dataColumns.map((c) => `"${c}" = @${c}`).join(', ')} ` +
            `WHERE "id" = @whereId AND "${TENANT_COLUMN}" = @whereTenant AND "lastModifiedDateTime" = @whereVersion`,
        ),
      };
    }
    return this.prepared;
  }

  private preparedFor(sql: string): SqliteStatement {
    let statement = this.pageStatements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      remember(this.pageStatements, sql, statement);
    }
    return statement;
  }

  private get connection(): SqliteConnection {
    return (
      this.rows.manager.connection.driver as unknown as { databaseConnection: SqliteConnection }
    ).databaseConnection;
  }

  private toRow(operation: ManagedTenantOperation): EntityRow {
    const row: EntityRow = {
      id: operation.id,
      createdDateTime: operation.createdDateTime,
      lastModifiedDateTime: operation.lastModifiedDateTime,
      [DYNAMIC_PROPERTIES_COLUMN]: operation.dynamicProperties,
    };
    for (const [name, value] of Object.entries(operation.properties)) {
      row[name] = mapSecretValues(model.properties[name], value, (secret) =>
        this.cipher.encrypt(secret, operation.id),
      );
    }
    return row;
  }

  private toDomain(row: EntityRow): ManagedTenantOperation {
    const id = row.id as string;
    const properties: Record<string, unknown> = {};
    for (const [name, property] of STORED_PROPERTIES) {
      properties[name] = mapSecretValues(property, row[name], (ciphertext) =>
        this.cipher.decrypt(ciphertext, id),
      );
    }
    return {
      id,
      createdDateTime: row.createdDateTime as string,
      lastModifiedDateTime: row.lastModifiedDateTime as string,
      properties,
      dynamicProperties: (row[DYNAMIC_PROPERTIES_COLUMN] ?? {}) as Record<string, unknown>,
    };
  }
}

/** better-sqlite3's connection and statements, as far as this repository uses them. */
interface SqliteStatement {
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number };
}
interface SqliteConnection extends SqliteTransactions {
  prepare(sql: string): SqliteStatement;
}
interface PreparedStatements {
  readonly selectById: SqliteStatement;
  readonly insert: SqliteStatement;
  readonly update: SqliteStatement;
}

const MAX_CACHED_PAGE_STATEMENTS = 200;

/** Adds to a bounded cache, forgetting the oldest entry when it is full. */
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHED_PAGE_STATEMENTS) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

/** A page query's SQL pieces (named parameters): what its SQL text depends on. */
interface PageShape {
  readonly filter?: string;
  readonly search?: string;
  readonly after?: string;
  readonly order: ReadonlyArray<{
    readonly value: string;
    readonly direction: 'ASC' | 'DESC';
    readonly nulls?: 'NULLS FIRST' | 'NULLS LAST';
  }>;
  readonly limit: number;
  readonly skip?: number;
}
/** How often a write that lost a race with another writer is tried in all. */
const MAX_WRITE_ATTEMPTS = 5;

/** Every column of the table, from the entity schema. */
const STORED_COLUMNS = Object.keys(managedTenantOperationSchema.options.columns);
/** Each column and its name in a QueryBuilder's raw rows (`o_<column>`). */
const ALIASED_COLUMNS = STORED_COLUMNS.map((column) => [column, `${ROW_ALIAS}_${column}`] as const);
/** The declared properties kept in `properties` of the domain object (not the key, not computed). */
const STORED_PROPERTIES = Object.entries(model.properties).filter(
  ([name, property]) => name !== model.key && !property.computed,
);

/** A row as SQLite stores it: JSON columns as text, booleans as 0/1, absent as null. */
function toSqlValues(row: EntityRow): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of STORED_COLUMNS) {
    const value = row[column];
    values[column] =
      value === undefined
        ? null
        : JSON_COLUMNS.includes(column)
          ? JSON.stringify(value)
          : typeof value === 'boolean'
            ? Number(value)
            : value;
  }
  return values;
}

/** The columns TypeORM stores as JSON text, from the entity schema. */
const JSON_COLUMNS = Object.entries(managedTenantOperationSchema.options.columns)
  .filter(([, column]) => column?.type === 'json')
  .map(([name]) => name);

/** A row read without TypeORM has its JSON columns as text: parse them as TypeORM would. */
function parseJsonColumns(raw: Record<string, unknown>): EntityRow {
  const row: EntityRow = { ...raw };
  for (const column of JSON_COLUMNS) {
    if (typeof row[column] === 'string') row[column] = JSON.parse(row[column] as string);
  }
  return row;
}

function isUniqueViolation(error: unknown): boolean {
  const failure = error as QueryFailedError & { code?: string; driverError?: { code?: string } };
  const code = failure.driverError?.code ?? failure.code;
  return (
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === '23505' // PostgreSQL's unique_violation
  );
}

/**
 * SQLSTATEs of an operator applied to values it cannot take: PostgreSQL is strict where SQLite
 * is lenient, and a $filter can, for instance, negate or compare a dynamic property whose stored
 * JSON is of another type. That is the query's mistake, so a 400, not a 500.
 */
const MISTYPED_QUERY_CODES = new Set([
  '42883', // undefined_function: no such operator for these types
  '42804', // datatype_mismatch
  '22P02', // invalid_text_representation
  '22003', // numeric_value_out_of_range
  '22008', // datetime_field_overflow
]);

async function refuseMistypedQuery<T>(running: Promise<T>): Promise<T> {
  try {
    return await running;
  } catch (error) {
    const code = (error as { driverError?: { code?: string } }).driverError?.code;
    if (code && MISTYPED_QUERY_CODES.has(code)) {
      throw new InvalidRequestError(
        'The query applies an operator or function to values of a type it does not take.',
      );
    }
    throw error;
  }
}

/** Another writer changed the row between our read and our write. */
class ConcurrentChangeError extends PreconditionFailedError {
  constructor(entity: string, id: string) {
    super(
      `The ${entity} '${id}' was changed by another request at the same time; read it again and retry.`,
    );
  }
}

/** The row clashes with an existing one on the key or on (partnerTenantId, requestId). */
export class DuplicateOperationError extends Error {
  constructor() {
    super('An operation with this id, or with this partnerTenantId and requestId, exists already.');
  }
}
