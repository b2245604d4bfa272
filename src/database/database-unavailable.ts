import { ServiceUnavailableError } from '../common/errors';

/** An error code (or its prefix), what the client is told, and when it may try again (seconds). */
type StorageCondition = readonly [prefix: string, message: string, retryAfter: number];

/**
 * Database errors that describe the storage rather than the request: a full disk, a read-only
 * file, an I/O error, a lock held longer than the busy timeout. The same request can succeed once
 * the condition clears, so the client gets 503 with Retry-After, never a 500, and the service
 * needs no restart: the next statement simply tries again.
 */
const SQLITE_CONDITIONS: readonly StorageCondition[] = [
  ['SQLITE_FULL', 'The database has no space left to write in.', 30],
  ['SQLITE_READONLY', 'The database cannot be written to at the moment.', 30],
  ['SQLITE_IOERR', 'The database could not be written to or read from (an I/O error).', 30],
  ['SQLITE_CANTOPEN', 'The database file cannot be opened at the moment.', 30],
  ['SQLITE_BUSY', 'The database is busy with other writes.', 1],
  ['SQLITE_LOCKED', 'The database is busy with other writes.', 1],
];

/** PostgreSQL's SQLSTATEs (and the socket errors of its client) for the same conditions. */
const POSTGRES_CONDITIONS: readonly StorageCondition[] = [
  ['53100', 'The database has no space left to write in.', 30],
  ['53200', 'The database is out of memory.', 5],
  ['53300', 'The database has no connection to spare.', 1],
  ['25006', 'The database cannot be written to at the moment.', 30],
  ['57P0', 'The database is shutting down or starting.', 5],
  ['08', 'The connection to the database failed.', 5],
  ['ECONNREFUSED', 'The database cannot be reached.', 5],
  ['ECONNRESET', 'The connection to the database failed.', 5],
];

export function databaseUnavailable(error: unknown): ServiceUnavailableError | undefined {
  const code = databaseErrorCode(error);
  if (code === undefined) return undefined;
  const conditions = code.startsWith('SQLITE_') ? SQLITE_CONDITIONS : POSTGRES_CONDITIONS;
  const match = conditions.find(([prefix]) => code.startsWith(prefix));
  return match && new ServiceUnavailableError(`${match[1]} Try again later.`, match[2]);
}

/** The driver's code: better-sqlite3's SqliteError and pg's errors carry it, TypeORM wraps them. */
function databaseErrorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string') return code;
  return driverError === undefined ? undefined : databaseErrorCode(driverError);
}
