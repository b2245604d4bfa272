import { redactSecrets } from './redaction';

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
