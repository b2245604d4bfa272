import { randomBytes } from 'node:crypto';
import { DeltaState, DeltaTokenCodec, DeltaTokenExpiredError } from './delta-token';
import { InvalidQueryError } from './query/invalid-query.error';

describe('DeltaTokenCodec', () => {
  const retention = 60_000;
  const codec = new DeltaTokenCodec(randomBytes(32), retention);
  const now = 1_800_000_000_000;
  const delta: DeltaState = { phase: 'delta', to: '42', at: now - 1_000, select: 'name' };
  const next: DeltaState = {
    phase: 'changes',
    from: '7',
    to: '42',
    toAt: now - 1_000,
    at: now - 2_000,
    after: 'b',
  };

  it('gives back the state it encoded, for the same query', () => {
    expect(codec.decode(codec.encode(delta, 'q'), 'q', '$deltatoken', now)).toEqual(delta);
    expect(codec.decode(codec.encode(next, 'q'), 'q', '$skiptoken', now)).toEqual(next);
  });

  it('refuses a token of another query, a tampered one, and one in the wrong option', () => {
    const token = codec.encode(delta, 'q');
    expect(() => codec.decode(token, 'other', '$deltatoken', now)).toThrow(InvalidQueryError);
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...delta, to: '0' })).toString('base64url');
    expect(payload).not.toBe(forged);
    expect(() => codec.decode(`${forged}.${signature}`, 'q', '$deltatoken', now)).toThrow(
      InvalidQueryError,
    );
    expect(() => codec.decode(token, 'q', '$skiptoken', now)).toThrow(InvalidQueryError);
    expect(() => codec.decode(codec.encode(next, 'q'), 'q', '$deltatoken', now)).toThrow(
      InvalidQueryError,
    );
    expect(() => codec.decode('garbage', 'q', '$deltatoken', now)).toThrow(InvalidQueryError);
    const otherKey = new DeltaTokenCodec(randomBytes(32), retention).encode(delta, 'q');
    expect(() => codec.decode(otherKey, 'q', '$deltatoken', now)).toThrow(InvalidQueryError);
  });

  it('says a token older than the retention period has expired', () => {
    const token = codec.encode(delta, 'q');
    expect(() => codec.decode(token, 'q', '$deltatoken', delta.at + retention + 1)).toThrow(
      DeltaTokenExpiredError,
    );
    expect(codec.decode(token, 'q', '$deltatoken', delta.at + retention)).toEqual(delta);
  });
});
