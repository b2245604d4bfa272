import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidQueryError } from './invalid-query.error';

/** Where the next page starts: the sort-key values and key of the last row sent, and how many rows remain of $top. */
export interface PagePosition {
  readonly keys: readonly unknown[];
  readonly remaining?: number;
}

/**
 * Opaque, signed `$skiptoken`s for keyset paging. A token is bound to the query it came from
 * (filter, search, order and top), so it cannot be replayed against another query, and signed,
 * so a tampered token is refused rather than trusted.
 */
export class SkipTokenCodec {
  constructor(private readonly key: Buffer) {}

  encode(position: PagePosition, queryIdentity: string): string {
    const payload = Buffer.from(
      JSON.stringify({ k: position.keys, r: position.remaining }),
      'utf8',
    ).toString('base64url');
    return `${payload}.${this.sign(payload, queryIdentity)}`;
  }

  decode(token: string, queryIdentity: string): PagePosition {
    const invalid = () =>
      new InvalidQueryError(
        '$skiptoken',
        'the token is not one this service issued for this query',
      );
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid();
    const expected = Buffer.from(this.sign(payload, queryIdentity));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    let decoded: { k?: unknown; r?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof decoded;
    } catch {
      throw invalid();
    }
    if (typeof decoded !== 'object' || decoded === null) throw invalid();
    if (!Array.isArray(decoded.k) || (decoded.r !== undefined && typeof decoded.r !== 'number'))
      throw invalid();
    return { keys: decoded.k, remaining: decoded.r as number | undefined };
  }

  private sign(payload: string, queryIdentity: string): string {
    return createHmac('sha256', this.key)
      .update(`${queryIdentity}\n${payload}`)
      .digest('base64url')
      .slice(0, 22);
  }
}

/** A stable identity of the options that shape a result set. */
export function queryIdentity(parts: readonly (string | number | undefined)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}
