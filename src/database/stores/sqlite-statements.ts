import { DataSource } from 'typeorm';
import { SqliteTransactions } from '../group-commit';

/** better-sqlite3's connection and statements, as far as the stores use them. */
export interface SqliteStatement {
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): Array<Record<string, unknown>>;
  run(...parameters: unknown[]): { changes: number };
}
export interface SqliteConnection extends SqliteTransactions {
  prepare(sql: string): SqliteStatement;
}

/** Past this many statements (`… IN (…)` lists differ by their length), the cache starts over. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * The one better-sqlite3 connection TypeORM opened, and the statements a store prepared on it,
 * by SQL text: the stores of the run queue, the change feed and the notifications share this.
 */
export class SqliteStatements {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly dataSource: DataSource) {}

  get connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
  }

  prepared(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, ...parameters: unknown[]): Array<Record<string, unknown>> {
    return this.prepared(sql).all(...parameters);
  }

  get(sql: string, ...parameters: unknown[]): Record<string, unknown> | undefined {
    return this.prepared(sql).get(...parameters) as Record<string, unknown> | undefined;
  }
}
