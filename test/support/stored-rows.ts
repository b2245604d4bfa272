import Database from 'better-sqlite3';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { TestApp } from './test-app';

/**
 * The credentials column of every stored row, read past the service: from the SQLite file, or
 * from the app's PostgreSQL schema over a connection of our own.
 */
export async function storedCredentials(app: TestApp): Promise<Array<Record<string, unknown>>> {
  const sql = 'SELECT credentials FROM managed_tenant_operations';
  const { DATABASE_URL: url, DATABASE_SCHEMA: schema } = app.databaseEnv;
  if (url && schema) {
    const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query<{ credentials: Record<string, unknown> }>(sql)).rows.map(
        (row) => row.credentials,
      );
    } finally {
      await client.end();
    }
  }
  const db = new Database(app.databasePath, { readonly: true });
  try {
    return (db.prepare(sql).all() as { credentials: string }[]).map((row) =>
      JSON.parse(row.credentials),
    );
  } finally {
    db.close();
  }
}

/** Every stored row as text, read past the service (PostgreSQL; SQLite tests read its files). */
export async function storedRowsText(
  app: TestApp,
  tables: readonly string[] = ['managed_tenant_operations'],
): Promise<string> {
  const { DATABASE_URL: url, DATABASE_SCHEMA: schema } = app.databaseEnv;
  const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const texts: string[] = [];
    for (const table of tables) {
      const result = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${table}" t`,
      );
      texts.push(...result.rows.map((row) => row.row));
    }
    return texts.join('\n');
  } finally {
    await client.end();
  }
}

/** Rows of a query run past the service, on the app's database (`?` placeholders). */
export async function queryStored(
  app: TestApp,
  sql: string,
  parameters: unknown[] = [],
): Promise<Array<Record<string, unknown>>> {
  const { DATABASE_URL: url, DATABASE_SCHEMA: schema } = app.databaseEnv;
  if (url && schema) {
    const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      let index = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++index}`),
          parameters,
        )
      ).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(app.databasePath, { readonly: true });
  try {
    return db.prepare(sql).all(...parameters) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Every byte SQLite wrote for the database: the file, its WAL and shared memory. */
export function rawDatabaseBytes(databasePath: string): string {
  const folder = dirname(databasePath);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.sqlite') || name.includes('.sqlite-'))
    .map((name) => readFileSync(join(folder, name)).toString('latin1'))
    .join('\n');
}
