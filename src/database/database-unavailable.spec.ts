import Database from 'better-sqlite3';
import { QueryFailedError } from 'typeorm';
import { ServiceUnavailableError } from '../common/errors';
import { databaseUnavailable } from './database-unavailable';

function sqliteError(code: string): Error {
  return new Database.SqliteError('failed', code);
}

describe('databaseUnavailable', () => {
  it.each([
    ['SQLITE_FULL', 'no space', '30'],
    ['SQLITE_READONLY', 'cannot be written', '30'],
    ['SQLITE_READONLY_DBMOVED', 'cannot be written', '30'],
    ['SQLITE_IOERR_WRITE', 'I/O error', '30'],
    ['SQLITE_BUSY', 'busy', '1'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy', '1'],
    ['53100', 'no space', '30'],
    ['25006', 'cannot be written', '30'],
    ['57P01', 'shutting down', '5'],
    ['08006', 'connection', '5'],
    ['ECONNREFUSED', 'cannot be reached', '5'],
  ])('makes %s a 503 saying %s, with Retry-After %s', (code, words, retryAfter) => {
    const error = databaseUnavailable(
      code.startsWith('SQLITE') ? sqliteError(code) : Object.assign(new Error('x'), { code }),
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error!.status).toBe(503);
    expect(error!.code).toBe('serviceNotAvailable');
    expect(error!.message).toContain(words);
    expect(error!.headers['retry-after']).toBe(retryAfter);
  });

  it('looks through TypeORM QueryFailedError to the driver error', () => {
    const wrapped = new QueryFailedError('INSERT ...', [], sqliteError('SQLITE_FULL'));
    expect(databaseUnavailable(wrapped)?.status).toBe(503);
  });

  it.each([
    ['a constraint violation', sqliteError('SQLITE_CONSTRAINT_UNIQUE')],
    ['a syntax error', sqliteError('SQLITE_ERROR')],
    ['a PostgreSQL unique violation', Object.assign(new Error('x'), { code: '23505' })],
    ['a plain error', new Error('x')],
    ['not an error', 'text'],
  ])('leaves %s alone (it stays a 500 or whatever else maps it)', (_name, error) => {
    expect(databaseUnavailable(error)).toBeUndefined();
  });
});
