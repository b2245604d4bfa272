import { DataSource } from 'typeorm';
import { sharedGroupCommit, SqliteGroupCommit } from './group-commit';
import { SerialWriter } from './serial-writer';
import {
  SQLITE_STORE_DIALECT,
  SqlExecutor,
  SqlRow,
  SqlSession,
  StoreDialect,
} from './sql-executor';
import { TransactionContext } from './transaction-context';

/** better-sqlite3's connection and statements, as far as the executor uses them. */
export interface SqliteStatement {
  /** Whether the statement leaves the database as it is (a query, not a write). */
  readonly readonly: boolean;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): SqlRow[];
  run(...parameters: unknown[]): { changes: number };
}
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
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
  private readonly groupCommit: SqliteGroupCommit;
  /** Statements at once, on the connection: inside a transaction that is already open. */
  private readonly inTransaction: SqlSession = {
    all: (sql, parameters = []) => Promise.resolve(this.prepared(sql).all(...parameters)),
    get: (sql, parameters = []) =>
      Promise.resolve(this.prepared(sql).get(...parameters) as SqlRow | undefined),
    run: (sql, parameters = []) => Promise.resolve(this.prepared(sql).run(...parameters).changes),
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: SerialWriter,
    private readonly transactions: TransactionContext,
  ) {
    super();
    this.groupCommit = sharedGroupCommit(writer, () => this.connection);
  }

  /** The connection TypeORM opened (the entity stores prepare their own statements on it). */
  get connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
  }

  all(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow[]> {
    const statement = this.prepared(sql);
    if (statement.readonly) return Promise.resolve(statement.all(...parameters));
    return this.write(() => statement.all(...parameters));
  }

  get(sql: string, parameters: readonly unknown[] = []): Promise<SqlRow | undefined> {
    const statement = this.prepared(sql);
    const read = () => statement.get(...parameters) as SqlRow | undefined;
    return statement.readonly ? Promise.resolve(read()) : this.write(read);
  }

  run(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    const statement = this.prepared(sql);
    return this.write(() => statement.run(...parameters).changes);
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.transactions.manager) return this.writer.run(() => this.savepoint(work));
    return this.groupCommit.run(() => work(this.inTransaction));
  }

  /** Runs in the write queue: never while a unit of work's transaction is open. */
  settled<T>(read: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.writer.run(() => read(this.inTransaction));
  }

  /** A synchronous write (an entity store's prepared statements), group-committed. */
  write<T>(write: () => T): Promise<T> {
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
