import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest with AES-256-GCM.
 *
 * A ciphertext is `v1.<keyId>.<iv>.<tag>.<data>` (base64url parts). The key id (a hash prefix of
 * the key) says which key wrote a value, so that after a rotation old values still decrypt with
 * the previous keys while new ones are written with the current key. The additional
 * authenticated data binds a ciphertext to the row it belongs to, so copying it to another row
 * fails to decrypt.
 */
export class CredentialsCipher {
  private readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly currentKey: Buffer,
    previousKeys: readonly Buffer[] = [],
  ) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== 32) throw new Error('A credentials key must be 32 bytes (AES-256).');
      this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(currentKey);
  }

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.currentKeyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string, boundTo: string): string {
    const [version, keyId, iv, tag, data] = ciphertext.split('.');
    const key = this.keys.get(keyId);
    if (version !== 'v1' || !key) {
      throw new Error(`A credential was encrypted with an unknown key (${version}/${keyId}).`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** Whether a ciphertext was written with a key other than the current one. */
  isStale(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.currentKeyId;
  }
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}
