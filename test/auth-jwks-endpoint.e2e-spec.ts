import { exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';
import { execFileSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';

const ROOT = resolve(__dirname, '..');
const ISSUER = 'https://login.test-issuer.example/v2.0';
const AUDIENCE = 'api://mto';

describe('keys from a JWKS endpoint (AUTH_JWKS_URI)', () => {
  it('fetches the keys, caches them, and fetches again for a key id it does not know (rotation)', async () => {
    const first = await generateKeyPair('RS256', { extractable: true });
    const second = await generateKeyPair('ES256', { extractable: true });
    const published: JWK[] = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256' }];
    let fetches = 0;
    const server: Server = createServer((_, response) => {
      fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
    const app = await TestApp.start({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URI: uri,
      AUTH_JWKS_COOLDOWN_MS: '0',
    });
    const sign = (key: Parameters<SignJWT['sign']>[0], kid: string, alg: string) =>
      new SignJWT({ tid: TEST_TENANT, oid: TEST_USER, scp: 'ManagedTenants.Read.All' })
        .setProtectedHeader({ alg, kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('10m')
        .sign(key);
    const list = async (token: string) =>
      (await app.get(ENTITY_SET, { authorization: `Bearer ${token}` })).statusCode;
    try {
      expect(await list(await sign(first.privateKey, 'k1', 'RS256'))).toBe(200);
      expect(await list(await sign(first.privateKey, 'k1', 'RS256'))).toBe(200);
      expect(fetches).toBe(1);
      // The provider rotates: a new key id appears, and tokens signed with it verify.
      published.push({ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'ES256' });
      expect(await list(await sign(second.privateKey, 'k2', 'ES256'))).toBe(200);
      expect(fetches).toBe(2);
      // A key id the provider does not publish is refused, after asking the provider once more.
      const stranger = await generateKeyPair('RS256');
      expect(await list(await sign(stranger.privateKey, 'k9', 'RS256'))).toBe(401);
    } finally {
      await app.dispose();
      server.close();
    }
  });
});

describe('npm run token', () => {
  jest.setTimeout(60_000);

  it('prints, as its last line, a token the server accepts, from the same DATABASE_PATH (or DEVELOPMENT_ISSUER_KEY)', async () => {
    const app = await TestApp.start();
    try {
      const output = execFileSync(
        process.execPath,
        [
          '-r',
          join(ROOT, 'node_modules/ts-node/register/transpile-only'),
          join(ROOT, 'src/auth/token.cli.ts'),
          '--tenant',
          TEST_TENANT,
          '--user',
          TEST_USER,
          '--scopes',
          'ManagedTenants.Read.All',
          '--expires',
          '5m',
        ],
        {
          env: {
            ...process.env,
            DATABASE_PATH: app.databasePath,
            ...app.databaseEnv,
            TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          },
          encoding: 'utf8',
        },
      );
      const token = output.trim().split('\n').pop()!;
      expect((await app.get(ENTITY_SET, { authorization: `Bearer ${token}` })).statusCode).toBe(
        200,
      );
      // Read.All only: writing is refused.
      expect((await app.post({}, { authorization: `Bearer ${token}` })).statusCode).toBe(403);
    } finally {
      await app.dispose();
    }
  });
});
