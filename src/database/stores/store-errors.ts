import { QueryFailedError } from 'typeorm';
import { InvalidRequestError, PreconditionFailedError } from '../../common/errors';

/** What a store's write can fail with that is the row's fault, as domain errors. */

/** The row clashes with an existing one on the key or on (partnerTenantId, requestId). */
export class DuplicateEntityError extends Error {
  constructor() {
    super('An entity with this id, or with this partnerTenantId and requestId, exists already.');
  }
}

/** The row refers to an entity (its principal) that the tenant does not have. */
export class MissingPrincipalError extends Error {
  constructor() {
    super('The row refers to an entity that does not exist in its tenant.');
  }
}

/** Another writer changed the row between our read and our write. */
export class ConcurrentChangeError extends PreconditionFailedError {
  constructor(entity: string, id: string) {
    super(
      `The ${entity} '${id}' was changed by another request at the same time; read it again and retry.`,
    );
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return (
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === '23505' // PostgreSQL's unique_violation
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * The database ended the transaction to settle a clash with another one (PostgreSQL's
 * deadlock_detected and serialization_failure): nothing of it was applied, and run again it may
 * well pass. SQLite has one writer at a time, so never.
 */
export function isTransactionClash(error: unknown): boolean {
  const code = driverCode(error);
  return code === '40P01' || code === '40001';
}

/** Whether a write lost to another: the row changed under it, or the database settled a clash. */
export function isLostRace(error: unknown): boolean {
  return error instanceof ConcurrentChangeError || isTransactionClash(error);
}

function driverCode(error: unknown): string | undefined {
  const failure = error as QueryFailedError & { code?: string; driverError?: { code?: string } };
  return failure.driverError?.code ?? failure.code;
}

/** The errors of a write that are the row's fault, as domain errors. */
export function writeFailure(error: unknown): unknown {
  if (isUniqueViolation(error)) return new DuplicateEntityError();
  if (isForeignKeyViolation(error)) return new MissingPrincipalError();
  return error;
}

/**
 * SQLSTATEs of an operator applied to values it cannot take: PostgreSQL is strict where SQLite
 * is lenient, and a $filter can, for instance, negate or compare a dynamic property whose stored
 * JSON is of another type. That is the query's mistake, so a 400, not a 500.
 */
const MISTYPED_QUERY_CODES = new Set([
  '42883', // undefined_function: no such operator for these types
  '42804', // datatype_mismatch
  '22P02', // invalid_text_representation
  '22003', // numeric_value_out_of_range
  '22008', // datetime_field_overflow
]);

export async function refuseMistypedQuery<T>(running: Promise<T>): Promise<T> {
  try {
    return await running;
  } catch (error) {
    const code = (error as { driverError?: { code?: string } }).driverError?.code;
    if (code && MISTYPED_QUERY_CODES.has(code)) {
      throw new InvalidRequestError(
        'The query applies an operator or function to values of a type it does not take.',
      );
    }
    throw error;
  }
}
