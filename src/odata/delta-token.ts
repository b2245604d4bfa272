import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidQueryError } from './query/invalid-query.error';

/**
 * Where a delta query stands (OData 4.01 §11.3, Microsoft Graph's delta): opaque to clients,
 * signed by the service, bound to the query it came from (tenant, entity set, navigation), and
 * dated so that a token older than the retention period is refused (410 syncStateNotFound)
 * rather than answered with changes the service has forgotten.
 *
 * - `initial`: paging through the current rows (keyset, `after` the last row sent); the changes
 *   made meanwhile are those after `to`, which the deltaLink carries.
 * - `changes`: paging through the entities that changed after `from` and up to `to`, in id
 *   order, `after` the last id sent.
 * - `delta`: a deltaLink: the next call reads the changes after `to`.
 *
 * `at` is when the oldest position the token holds was taken (epoch ms); `select` is the
 * `$select` of the first call, which every later page and round keeps.
 */
export type DeltaState =
  | {
      readonly phase: 'initial';
      readonly to: string;
      readonly after?: readonly unknown[];
      readonly at: number;
      readonly select?: string;
    }
  | {
      readonly phase: 'changes';
      readonly from: string;
      readonly to: string;
      /** When `to` was taken: the deltaLink that ends the round is dated so. */
      readonly toAt: number;
      readonly after?: string;
      readonly at: number;
      readonly select?: string;
    }
  | { readonly phase: 'delta'; readonly to: string; readonly at: number; readonly select?: string };

/** The token is past the retention period: the changes since are no longer known. */
export class DeltaTokenExpiredError extends Error {}

export class DeltaTokenCodec {
  constructor(
    private readonly key: Buffer,
    private readonly retentionMs: number,
  ) {}

  encode(state: DeltaState, queryIdentity: string): string {
    const payload = Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload, queryIdentity)}`;
  }

  /**
   * The state a token holds, if this service issued it for this query; `option` names the query
   * option it came in ($skiptoken or $deltatoken) for the error.
   */
  decode(token: string, queryIdentity: string, option: string, now = Date.now()): DeltaState {
    const invalid = () =>
      new InvalidQueryError(option, 'the token is not one this service issued for this query');
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid();
    const expected = Buffer.from(this.sign(payload, queryIdentity));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    let state: DeltaState;
    try {
      state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DeltaState;
    } catch {
      throw invalid();
    }
    if (typeof state !== 'object' || state === null || typeof state.at !== 'number') {
      throw invalid();
    }
    if (option === '$deltatoken' && state.phase !== 'delta') throw invalid();
    if (option === '$skiptoken' && state.phase === 'delta') throw invalid();
    if (now - state.at > this.retentionMs) throw new DeltaTokenExpiredError();
    return state;
  }

  private sign(payload: string, queryIdentity: string): string {
    return createHmac('sha256', this.key)
      .update(`${queryIdentity}\n${payload}`)
      .digest('base64url')
      .slice(0, 22);
  }
}
