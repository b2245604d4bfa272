import { randomBytes } from 'node:crypto';
import { CredentialsCipher } from './credentials-cipher';

describe('CredentialsCipher', () => {
  const cipher = new CredentialsCipher(randomBytes(32));

  it('round-trips a secret and never writes it in clear', () => {
    const sealed = cipher.encrypt('my-token', 'row-1');
    expect(sealed).toMatch(/^v1\.[\w-]{8}\./);
    expect(sealed).not.toContain('my-token');
    expect(cipher.decrypt(sealed, 'row-1')).toBe('my-token');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('same', 'row')).not.toBe(cipher.encrypt('same', 'row'));
  });

  it('refuses a ciphertext moved to another row, tampered with, or sealed by another key', () => {
    const sealed = cipher.encrypt('my-token', 'row-1');
    expect(() => cipher.decrypt(sealed, 'row-2')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), 'row-1')).toThrow();
    expect(() => new CredentialsCipher(randomBytes(32)).decrypt(sealed, 'row-1')).toThrow(
      /unknown key/,
    );
  });

  it('requires a 32-byte key', () => {
    expect(() => new CredentialsCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('CredentialsCipher with previous keys', () => {
  it('decrypts with previous keys, encrypts with the current one, and says what is stale', () => {
    const oldKey = randomBytes(32);
    const old = new CredentialsCipher(oldKey);
    const rotated = new CredentialsCipher(randomBytes(32), [oldKey]);
    const sealedByOld = old.encrypt('secret', 'row');
    expect(rotated.decrypt(sealedByOld, 'row')).toBe('secret');
    expect(rotated.isStale(sealedByOld)).toBe(true);
    const sealedByNew = rotated.encrypt('secret', 'row');
    expect(rotated.isStale(sealedByNew)).toBe(false);
    expect(() => old.decrypt(sealedByNew, 'row')).toThrow(/unknown key/);
  });
});
