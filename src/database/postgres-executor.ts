import { DataSource, EntityManager, QueryResult } from 'typeorm';
import {
  POSTGRES_STORE_DIALECT,
  SqlArrays,
  SqlExecutor,
  SqlRow,
  SqlSession,
  StoreDialect,
  StorageObserver,
  UNOBSERVED_STORAGE,
} from './sql-executor';
import { TransactionContext } from './transaction-context';

/** Statement texts kept with their placeholders numbered (the stores' texts are a fixed set). */
const MAX_CACHED_TEXTS = 500;

/**
 * SQL on PostgreSQL, which many instances share, through TypeORM's pool: each statement takes a
 * pooled connection, a transaction holds one. `?` placeholders are numbered (`$1, $2, …`) once per
 * text. Inside a unit of work, statements run on its connection and a transaction is a savepoint.
 */
export class PostgresExecutor extends SqlExecutor {
  readonly dialect: StoreDialect = POSTGRES_STORE_DIALECT;
  readonly singleProcess = false;
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionContext,
    private readonly observer: StorageObserver = UNOBSERVED_STORAGE,
  ) {
    super();
  }

  async all(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow[]> {
    return (await this.query(this.transactions.manager, sql, parameters)).records as SqlRow[];
  }

  async get(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow | undefined> {
    return (await this.all(sql, parameters))[0];
  }

  async run(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    return (await this.query(this.transactions.manager, sql, parameters)).affected ?? 0;
  }

  async arrays(sql: string, parameters: readonly unknown[] = []): Promise<SqlArrays> {
    return asArrays((await this.query(this.transactions.manager, sql, parameters)).records);
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const manager = this.transactions.manager ?? this.dataSource.manager;
    return this.observer.transaction('postgres', 1, () =>
      manager.transaction((inTransaction) => work(this.sessionOn(inTransaction))),
    );
  }

  settled<T>(read: (session: SqlSession) => Promise<T>): Promise<T> {
    return read(this);
  }

  private sessionOn(manager: EntityManager): SqlSession {
    return {
      all: async (sql, parameters = []) =>
        (await this.query(manager, sql, parameters)).records as SqlRow[],
      get: async (sql, parameters = []) =>
        ((await this.query(manager, sql, parameters)).records as SqlRow[])[0],
      run: async (sql, parameters = []) =>
        (await this.query(manager, sql, parameters)).affected ?? 0,
      arrays: async (sql, parameters = []) =>
        asArrays((await this.query(manager, sql, parameters)).records),
    };
  }

  /** On the manager's connection (a transaction's), or on one taken from the pool for it. */
  private async query(
    manager: EntityManager | undefined,
    sql: string,
    parameters: readonly unknown[],
  ): Promise<QueryResult> {
    const text = this.numbered(sql);
    const held = manager?.queryRunner;
    if (held) return held.query(text, [...parameters], true) as Promise<QueryResult>;
    const pooled = this.dataSource.createQueryRunner();
    try {
      return (await pooled.query(text, [...parameters], true)) as QueryResult;
    } finally {
      await pooled.release();
    }
  }

  private numbered(sql: string): string {
    let text = this.texts.get(sql);
    if (text === undefined) {
      let index = 0;
      text = sql.replace(/\?/g, () => `$${++index}`);
      if (this.texts.size >= MAX_CACHED_TEXTS) this.texts.clear();
      this.texts.set(sql, text);
    }
    return text;
  }
}

/** Rows by name as arrays (node-postgres gives objects, their keys in the order of the columns). */
function asArrays(records: unknown[] | undefined): SqlArrays {
  const rows = (records ?? []) as SqlRow[];
  return {
    columns: rows.length > 0 ? Object.keys(rows[0]) : [],
    rows: rows.map((row) => Object.values(row)),
  };
}
