import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generate } from 'selfsigned';

/** A certificate and its private key, in PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** How long a development certificate is valid (browsers refuse more than 825 days). */
const VALID_DAYS = 398;

/**
 * A self-signed certificate for `localhost`, `127.0.0.1` and `::1`, for serving HTTPS on a
 * developer's machine or in tests. It is its own CA: a Node client trusts it through
 * NODE_EXTRA_CA_CERTS (or a `ca` option), nothing else is needed.
 */
export async function makeDevelopmentCertificate(now = new Date()): Promise<PemPair> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Where `npm run dev-cert` writes: beside the SQLite database (`./data` for `:memory:`). */
export function developmentCertificatePaths(databasePath: string): {
  certFile: string;
  keyFile: string;
} {
  const folder = databasePath === ':memory:' ? resolve('data') : dirname(databasePath);
  return {
    certFile: join(folder, 'localhost-cert.pem'),
    keyFile: join(folder, 'localhost-key.pem'),
  };
}

/** Writes the pair; the key is readable by its owner only (0600). */
export function writeDevelopmentCertificate(
  pair: PemPair,
  paths: { certFile: string; keyFile: string },
): void {
  mkdirSync(dirname(paths.certFile), { recursive: true });
  writeFileSync(paths.keyFile, pair.key, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; an older key keeps no wider mode.
  chmodSync(paths.keyFile, 0o600);
  writeFileSync(paths.certFile, pair.cert, { mode: 0o644 });
}
