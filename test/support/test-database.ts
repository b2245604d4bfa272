import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDevelopmentKey } from '../../src/auth/development-issuer';

/**
 * Which database the e2e suite runs on: SQLite temp files, or, when TEST_DATABASE_URL is set
 * (`npm run test:e2e:pg`), PostgreSQL, each test app in a schema of its own.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const ON_POSTGRES = TEST_DATABASE_URL !== undefined;

/** `describe` for specs about SQLite itself (its files, pragmas, plans): skipped on PostgreSQL. */
export const describeOnSqlite: jest.Describe = ON_POSTGRES ? describe.skip : describe;
export const itOnSqlite: jest.It = ON_POSTGRES ? it.skip : it;
/** `describe` for specs that need PostgreSQL (several instances on one database). */
export const describeOnPostgres: jest.Describe = ON_POSTGRES ? describe : describe.skip;

let issuerKey: Promise<string> | undefined;

/**
 * The environment of a fresh PostgreSQL database for one test app: a new schema, and the keys
 * that configuration must give when DATABASE_URL is set.
 */
export async function freshPostgresEnv(): Promise<NodeJS.ProcessEnv> {
  issuerKey ??= createDevelopmentKey();
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: `t_${randomBytes(8).toString('hex')}`,
    DATABASE_POOL_SIZE: '4',
    CREDENTIALS_KEY: randomBytes(32).toString('hex'),
    DEVELOPMENT_ISSUER_KEY: await issuerKey,
  };
}

export async function dropPostgresSchema(env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.DATABASE_URL || !env.DATABASE_SCHEMA) return;
  const client = new Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Breaks the app's database under it, to provoke an unexpected failure: drops the operations
 * table (on PostgreSQL with the results and HTTP requests that refer to it).
 */
export async function dropOperationsTable(dataSource: {
  query(sql: string): Promise<unknown>;
}): Promise<void> {
  await dataSource.query(`DROP TABLE "managed_tenant_operations"${ON_POSTGRES ? ' CASCADE' : ''}`);
}
