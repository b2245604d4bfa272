import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { tokenFor } from './test-app';
import { dropPostgresSchema, freshPostgresEnv, ON_POSTGRES } from './test-database';

/** The database a crash suite's service processes share, across kills and restarts. */
export interface CrashDatabase {
  /** What a service process is started with to use it (valid once the suite has begun). */
  env(): NodeJS.ProcessEnv;
}

/**
 * A crash suite's database: a SQLite file in a folder of its own, or a fresh PostgreSQL schema
 * when the suite runs on PostgreSQL (TEST_DATABASE_URL); made before the suite, removed after it.
 * Call it in the suite's `describe`.
 */
export function useCrashDatabase(name: string): CrashDatabase {
  let folder: string | undefined;
  let databaseEnv: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), `mto-${name}-crash-`));
    databaseEnv = ON_POSTGRES ? await freshPostgresEnv() : {};
  });
  afterAll(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    await dropPostgresSchema(databaseEnv);
  });
  return {
    env: () => {
      if (!folder) throw new Error('The crash database is made when the suite begins.');
      return { DATABASE_PATH: join(folder, 'db.sqlite'), ...databaseEnv };
    },
  };
}

export type ServiceApi = (path: string, init?: RequestInit) => Promise<Response>;

/**
 * Requests to `base` (a service process's URL and path) as the test caller, with a token the
 * service started with `env` accepts, and JSON bodies.
 */
export async function serviceApi(env: NodeJS.ProcessEnv, base: string): Promise<ServiceApi> {
  const authorization = `Bearer ${await tokenFor(loadConfig(env), {})}`;
  return (path, init = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization, 'content-type': 'application/json', ...init.headers },
    });
}
