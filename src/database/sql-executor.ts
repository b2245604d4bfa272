import { DialectName } from '../odata/query/sql-dialect';

/** A row as the driver returns it, by column name. */
export type SqlRow = Record<string, unknown>;

/**
 * A query's rows as arrays of values in the order of `columns` (no object with a dozen named
 * properties per row: for the entity stores' reads, which read each column by its index).
 */
export interface SqlArrays {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly unknown[]>;
}

/**
 * Running SQL written with `?` placeholders: what the stores need of a database. Every value is
 * a bound parameter; the text is the store's own, never a client's.
 */
export interface SqlSession {
  /** The rows of a query (or of a write's RETURNING clause). */
  all(sql: string, parameters?: readonly unknown[]): Promise<SqlRow[]>;
  /** The first row of a query, if any. */
  get(sql: string, parameters?: readonly unknown[]): Promise<SqlRow | undefined>;
  /** A write; how many rows it inserted, changed or deleted. */
  run(sql: string, parameters?: readonly unknown[]): Promise<number>;
  /** The rows of a query as arrays of values. */
  arrays(sql: string, parameters?: readonly unknown[]): Promise<SqlArrays>;
}

/**
 * What differs between the databases in the stores' shared SQL, as data: a claim that skips the
 * rows another instance is claiming, and how a Boolean column is written.
 */
export interface StoreDialect {
  readonly name: DialectName;
  /** Appended to a claim's subquery: PostgreSQL's `FOR UPDATE SKIP LOCKED`, nothing on SQLite. */
  readonly skipLocked: string;
  readonly true: string;
  readonly false: string;
  /** A Boolean as a bound parameter (better-sqlite3 takes no Booleans). */
  readonly bindBoolean: (value: boolean) => unknown;
  /** The most bound parameters one statement may carry. */
  readonly maxParameters: number;
}

export const SQLITE_STORE_DIALECT: StoreDialect = {
  name: 'sqlite',
  skipLocked: '',
  true: '1',
  false: '0',
  bindBoolean: Number,
  maxParameters: 32_766,
};

export const POSTGRES_STORE_DIALECT: StoreDialect = {
  name: 'postgres',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  true: 'true',
  false: 'false',
  bindBoolean: (value) => value,
  maxParameters: 65_535,
};

/**
 * The database the service runs on, chosen once at start-up (DatabaseModule): SQLite with its
 * group commit, or PostgreSQL through the pool. Every store is written once over it (the entity
 * stores, the run queue, the notifications, the change feed); what differs is data (`dialect`).
 *
 * A statement or a transaction issued inside a unit of work (AtomicWork: the `run` action, an
 * atomic $batch group) joins it: it runs in that transaction, and a transaction nests in it as a
 * savepoint, so that the unit's work is kept or undone as a whole.
 */
export abstract class SqlExecutor implements SqlSession {
  abstract readonly dialect: StoreDialect;
  /** Whether one process uses the database (SQLite): then every lease at start is a dead one's. */
  abstract readonly singleProcess: boolean;

  abstract all(sql: string, parameters?: readonly unknown[]): Promise<SqlRow[]>;
  abstract get(sql: string, parameters?: readonly unknown[]): Promise<SqlRow | undefined>;
  abstract run(sql: string, parameters?: readonly unknown[]): Promise<number>;
  abstract arrays(sql: string, parameters?: readonly unknown[]): Promise<SqlArrays>;

  /**
   * Runs `work` in one transaction: all of its statements are kept, or none. `work` does database
   * work and computation only: on SQLite it holds the one writer until it returns.
   */
  abstract transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;

  /**
   * A read that must not see a write in progress (a position of the change feed): on SQLite, it
   * waits for the writer; PostgreSQL's reads see only what was committed.
   */
  abstract settled<T>(read: (session: SqlSession) => Promise<T>): Promise<T>;
}

/** `count` placeholders, for `… IN (…)` lists and multi-row INSERTs. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * What watches the database's transactions (metrics and traces, src/observability): it runs each
 * transaction's work, so that it can time it. `writes`: the writes a SQLite group commit holds
 * (1 on PostgreSQL, where a transaction is one store's).
 */
export interface StorageObserver {
  transaction<T>(database: DialectName, writes: number, work: () => Promise<T>): Promise<T>;
}

/** Watches nothing: for an executor made outside the application (a command, a unit test). */
export const UNOBSERVED_STORAGE: StorageObserver = {
  transaction: (_database, _writes, work) => work(),
};
