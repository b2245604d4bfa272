import { InvalidRequestError } from '../../common/errors';

/** A query option the service cannot accept; names the option and, for syntax, the position. */
export class InvalidQueryError extends InvalidRequestError {
  constructor(
    readonly option: string,
    detail: string,
    readonly position?: number,
  ) {
    super(
      position === undefined
        ? `Invalid ${option}: ${detail}`
        : `Invalid ${option} at position ${position}: ${detail}`,
    );
  }
}
