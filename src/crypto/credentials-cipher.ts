import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest with AES-256-GCM.
 *
 * A ciphertext is `v1.<keyId>.<iv>.<tag>.<data>` (base64url parts). The key id (a hash prefix of
 * the key) lets a later key rotation find which key wrote a value. The additional authenticated
 * data binds a ciphertext to the row it belongs to, so copying it to another row fails to decrypt.
 */
export class CredentialsCipher {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The credentials key must be 32 bytes (AES-256).');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.keyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string, boundTo: string): string {
    const [version, keyId, iv, tag, data] = ciphertext.split('.');
    if (version !== 'v1' || keyId !== this.keyId) {
      throw new Error(`A credential was encrypted with an unknown key (${version}/${keyId}).`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
