import { exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppConfig } from '../config/app-config';

/**
 * The development issuer: when no identity provider is configured, the service trusts tokens
 * signed by an ES256 key pair of its own, kept beside the database with owner-only permissions,
 * and `npm run token` signs tokens with it. Never used when AUTH_* is configured.
 */
export interface DevelopmentKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/**
 * Beside the database; for an in-memory database in the system's temp folder, so that
 * `DATABASE_PATH=:memory: npm run token` finds the key of a service started the same way.
 */
export function developmentKeyPath(databasePath: string): string {
  return databasePath === ':memory:'
    ? join(tmpdir(), 'managed-tenant-operations.dev-issuer-key.json')
    : `${databasePath}.dev-issuer-key.json`;
}

export async function loadDevelopmentKey(
  config: Pick<AppConfig, 'databasePath' | 'developmentIssuerKey'>,
): Promise<DevelopmentKey> {
  if (config.developmentIssuerKey) return parseDevelopmentKey(config.developmentIssuerKey);
  const path = developmentKeyPath(config.databasePath);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await createKey();
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': two processes starting at once cannot overwrite each other's key.
    writeFileSync(path, JSON.stringify(key), { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentKey;
  }
}

/** DEVELOPMENT_ISSUER_KEY: the JSON that `createDevelopmentKey` makes. */
function parseDevelopmentKey(text: string): DevelopmentKey {
  let key: Partial<DevelopmentKey>;
  try {
    key = JSON.parse(text) as Partial<DevelopmentKey>;
  } catch {
    throw new Error('DEVELOPMENT_ISSUER_KEY is not JSON (npm run token -- --new-issuer-key).');
  }
  if (!key.privateJwk?.d || !key.publicJwk?.x || key.privateJwk.kid !== key.publicJwk.kid) {
    throw new Error(
      'DEVELOPMENT_ISSUER_KEY is not a key pair made by npm run token -- --new-issuer-key.',
    );
  }
  return key as DevelopmentKey;
}

/** A fresh ES256 key pair for the development issuer, as DEVELOPMENT_ISSUER_KEY takes it. */
export async function createDevelopmentKey(): Promise<string> {
  return JSON.stringify(await createKey());
}

async function createKey(): Promise<DevelopmentKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

export interface TokenRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  /** Seconds until it expires. */
  readonly expiresIn: number;
  /** `azp`: the client application, if the token should name one. */
  readonly applicationId?: string;
}

/** A delegated access token as Entra ID issues them: tid, oid, scp, signed by the development key. */
export async function mintDevelopmentToken(
  key: DevelopmentKey,
  issuer: string,
  audience: string,
  request: TokenRequest,
): Promise<string> {
  const signingKey = await importJWK(key.privateJwk, 'ES256');
  return new SignJWT({
    tid: request.tenantId,
    oid: request.userId,
    scp: request.scopes.join(' '),
    ...(request.applicationId ? { azp: request.applicationId } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.privateJwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(request.userId)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.expiresIn)
    .sign(signingKey);
}
