import { DataSource } from 'typeorm';
import { sharedGroupCommit, SqliteGroupCommit } from './group-commit';
import { SerialWriter } from './serial-writer';
import {
  SQLITE_STORE_DIALECT,
  SqlArrays,
  SqlExecutor,
  SqlRow,
  SqlSession,
  StoreDialect,
  StorageObserver,
} from './sql-executor';
import { TransactionContext } from './transaction-context';

/** better-sqlite3's connection and statements, as far as the executor uses them. */
export interface SqliteStatement {
  /** Whether the statement leaves the database as it is (a query, not a write). */
  readonly readonly: boolean;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): SqlRow[];
  run(...parameters: unknown[]): { changes: number };
  /** Rows as arrays of values (a statement of its own: this switches its mode). */
  raw(toggle: true): SqliteStatement;
  columns(): Array<{ name: string }>;
}
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/**
 * A statement's outcome as a promise, its failure included: better-sqlite3 answers (and throws)
 * at once, and a caller that chains `.catch` must see the error there.
 */
function settledNow<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (error) {
    return Promise.reject(error);
  }
}

interface ArrayStatement {
  readonly rows: (parameters: readonly unknown[]) => unknown[][];
  readonly readonly: boolean;
  readonly columns: readonly string[];
}

/** Past this many statements (`… IN (…)` lists differ by their length), the cache starts over. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * SQL on the one better-sqlite3 connection TypeORM opened, on prepared statements cached by
 * their text. Reads run at once. Writes are group-committed (group-commit.ts): those of one turn
 * of the event loop share a transaction and an fsync, with the entity stores' writes, in the
 * order they were made. A transaction is one write of a group, in a savepoint of its own.
 *
 * Inside a unit of work (which holds the writer, its transaction open on this connection),
 * statements run at once in it and a transaction is a savepoint.
 */
export class SqliteExecutor extends SqlExecutor {
  readonly dialect: StoreDialect = SQLITE_STORE_DIALECT;
  readonly singleProcess = true;
  private readonly statements = new Map<string, SqliteStatement>();
  /** Statements in raw mode, with their columns, by their text (see `arrays`). */
  private readonly arrayStatements = new Map<string, ArrayStatement>();
  private readonly groupCommit: SqliteGroupCommit;
  /** Statements at once, on the connection: inside a transaction that is already open. */
  private readonly inTransaction: SqlSession = {
    all: (sql, parameters = []) => settledNow(() => this.prepared(sql).all(...parameters)),
    get: (sql, parameters = []) =>
      settledNow(() => this.prepared(sql).get(...parameters) as SqlRow | undefined),
    run: (sql, parameters = []) => settledNow(() => this.prepared(sql).run(...parameters).changes),
    arrays: (sql, parameters = []) =>
      settledNow(() => {
        const found = this.arrayStatement(sql);
        return { columns: found.columns, rows: found.rows(parameters) };
      }),
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: SerialWriter,
    private readonly transactions: TransactionContext,
    observer?: StorageObserver,
  ) {
    super();
    this.groupCommit = sharedGroupCommit(writer, () => this.connection, observer);
  }

  /** The connection TypeORM opened. */
  private get connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
  }

  all(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow[]> {
    const statement = this.prepared(sql);
    if (statement.readonly) return settledNow(() => statement.all(...parameters));
    return this.write(() => statement.all(...parameters));
  }

  get(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow | undefined> {
    const statement = this.prepared(sql);
    const read = () => statement.get(...parameters) as SqlRow | undefined;
    return statement.readonly ? settledNow(read) : this.write(read);
  }

  run(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    const statement = this.prepared(sql);
    return this.write(() => statement.run(...parameters).changes);
  }

  arrays(sql: string, parameters: readonly unknown[] = []): Promise<SqlArrays> {
    const found = this.arrayStatement(sql);
    const read = () => ({ columns: found.columns, rows: found.rows(parameters) });
    return found.readonly ? settledNow(read) : this.write(read);
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.transactions.manager) return this.writer.run(() => this.savepoint(work));
    return this.groupCommit.run(() => work(this.inTransaction));
  }

  /** Runs in the write queue: never while a unit of work's transaction is open. */
  settled<T>(read: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.writer.run(() => read(this.inTransaction));
  }

  /** A synchronous write, group-committed. */
  private write<T>(write: () => T): Promise<T> {
    if (this.transactions.manager) return this.writer.run(async () => write());
    return this.groupCommit.run(write);
  }

  private async savepoint<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const connection = this.connection;
    connection.exec('SAVEPOINT unit_step');
    try {
      const result = await work(this.inTransaction);
      connection.exec('RELEASE unit_step');
      return result;
    } catch (error) {
      if (connection.inTransaction) {
        connection.exec('ROLLBACK TO unit_step');
        connection.exec('RELEASE unit_step');
      }
      throw error;
    }
  }

  private arrayStatement(sql: string): ArrayStatement {
    let found = this.arrayStatements.get(sql);
    if (!found) {
      const statement = this.connection.prepare(sql).raw(true);
      found = {
        // Raw mode: each row an array of values.
        rows: (parameters) => statement.all(...parameters) as unknown as unknown[][],
        readonly: statement.readonly,
        columns: statement.columns().map((column) => column.name),
      };
      if (this.arrayStatements.size >= MAX_CACHED_STATEMENTS) this.arrayStatements.clear();
      this.arrayStatements.set(sql, found);
    }
    return found;
  }

  private prepared(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
