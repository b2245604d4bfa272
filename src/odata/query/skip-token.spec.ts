import { randomBytes } from 'node:crypto';
import { InvalidQueryError } from './invalid-query.error';
import { queryIdentity, SkipTokenCodec } from './skip-token';

describe('SkipTokenCodec', () => {
  const codec = new SkipTokenCodec(randomBytes(32));
  const identity = queryIdentity(["status eq 'x'", undefined, undefined, 50]);

  it('round-trips a position for the same query', () => {
    const token = codec.encode(
      { keys: ['2026-01-01T00:00:00.000Z', 'id-1'], remaining: 20 },
      identity,
    );
    expect(codec.decode(token, identity)).toEqual({
      keys: ['2026-01-01T00:00:00.000Z', 'id-1'],
      remaining: 20,
    });
  });

  it.each([
    ['another query', (token: string) => [token, queryIdentity(['other'])]],
    [
      'a changed payload',
      (token: string) => [
        `${Buffer.from('{"k":["z"]}').toString('base64url')}.${token.split('.')[1]}`,
        identity,
      ],
    ],
    ['a changed signature', (token: string) => [`${token.slice(0, -2)}xx`, identity]],
    ['garbage', () => ['%%%', identity]],
    ['an empty token', () => ['', identity]],
    ['extra parts', (token: string) => [`${token}.x`, identity]],
  ])('refuses %s', (_, tamper) => {
    const token = codec.encode({ keys: ['a'] }, identity);
    const [tampered, tamperedIdentity] = tamper(token);
    expect(() => codec.decode(tampered, tamperedIdentity)).toThrow(InvalidQueryError);
  });

  it('refuses a token signed with another key', () => {
    const token = new SkipTokenCodec(randomBytes(32)).encode({ keys: ['a'] }, identity);
    expect(() => codec.decode(token, identity)).toThrow(InvalidQueryError);
  });
});
