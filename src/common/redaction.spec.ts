import { redactSecrets, secretRedactor } from './redaction';

describe('redactSecrets', () => {
  it('replaces each secret in its plain, JSON-escaped and percent-encoded forms, and JWTs', () => {
    const secret = 'se"cret/value+1';
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.sig-nature_value';
    const text = `a ${secret} b ${JSON.stringify(secret)} c ${encodeURIComponent(secret)} d ${jwt}`;
    expect(redactSecrets(text, [secret])).toBe(
      'a [redacted] b "[redacted]" c [redacted] d [redacted]',
    );
  });

  it('leaves text without secrets as it is, and ignores empty and very short values', () => {
    expect(redactSecrets('nothing to hide', ['', undefined, null, 'to'])).toBe('nothing to hide');
  });
});

describe('secretRedactor', () => {
  it('redacts every text it is given as redactSecrets does, the secrets read once', () => {
    const secrets = ['se"cret/value+1', 'another-secret'];
    const redact = secretRedactor(secrets);
    const texts = [
      `a ${secrets[0]} b ${JSON.stringify(secrets[0])} c ${encodeURIComponent(secrets[0])}`,
      `the other one: ${secrets[1]}, and a JWT eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.sig`,
      'nothing to hide',
    ];
    expect(texts.map(redact)).toEqual(texts.map((text) => redactSecrets(text, secrets)));
    expect(texts.map(redact)).toEqual([
      'a [redacted] b "[redacted]" c [redacted]',
      'the other one: [redacted], and a JWT [redacted]',
      'nothing to hide',
    ]);
  });

  it('takes the secrets when it is made: a list changed later changes nothing', () => {
    const secrets = ['first-secret'];
    const redact = secretRedactor(secrets);
    secrets.push('second-secret');
    expect(redact('first-secret second-secret')).toBe('[redacted] second-secret');
  });
});
