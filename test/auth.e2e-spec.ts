import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDevelopmentKey } from '../src/auth/development-issuer';
import { newOperation } from './support/operation-factory';
import { ENTITY_SET, TEST_TENANT, TEST_USER, TestApp } from './support/test-app';

const ISSUER = 'https://login.test-issuer.example/tenant/v2.0';
const AUDIENCE = 'api://managed-tenant-operations-tests';

/** A test identity provider: key pairs the test makes, published as a JWKS file. */
async function testIssuer(folder: string) {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  const file = join(folder, 'jwks.json');
  writeFileSync(file, JSON.stringify(jwks));
  const sign = (
    claims: Record<string, unknown>,
    options: {
      alg?: 'RS256' | 'ES256';
      issuer?: string;
      audience?: string;
      expiresIn?: number;
      notBefore?: number;
    } = {},
  ) => {
    const alg = options.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      tid: TEST_TENANT,
      oid: TEST_USER,
      scp: 'ManagedTenants.ReadWrite.All',
      ...claims,
    })
      .setProtectedHeader({ alg, kid: alg === 'RS256' ? 'rsa-1' : 'ec-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setNotBefore(now + (options.notBefore ?? 0))
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .sign(alg === 'RS256' ? rsa.privateKey : ec.privateKey);
  };
  return { file, sign, jwks };
}

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

describe('authentication with an identity provider (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_FILE)', () => {
  let app: TestApp;
  let issuer: Awaited<ReturnType<typeof testIssuer>>;

  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const folder = mkdtempSync(join(tmpdir(), 'mto-auth-'));
    issuer = await testIssuer(folder);
    app = await TestApp.start(
      { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_FILE: issuer.file },
      { folder },
    );
  });
  afterAll(() => app.dispose());

  const list = (authorization?: string) =>
    authorization === undefined
      ? app.anonymous({ method: 'GET', url: ENTITY_SET })
      : app.inject({ method: 'GET', url: ENTITY_SET, headers: { authorization } });

  it('accepts RS256 and ES256 tokens of the configured issuer and audience', async () => {
    expect((await list(`Bearer ${await issuer.sign({})}`)).statusCode).toBe(200);
    expect((await list(`Bearer ${await issuer.sign({}, { alg: 'ES256' })}`)).statusCode).toBe(200);
  });

  it('tolerates 60 s of clock skew', async () => {
    expect((await list(`Bearer ${await issuer.sign({}, { expiresIn: -30 })}`)).statusCode).toBe(
      200,
    );
    expect((await list(`Bearer ${await issuer.sign({}, { notBefore: 30 })}`)).statusCode).toBe(200);
  });

  describe('the attack table: none succeeds, none is a 500', () => {
    const cases: Array<[string, () => Promise<string | undefined>]> = [
      ['no Authorization header', async () => undefined],
      ['an empty bearer', async () => 'Bearer '],
      ['Basic credentials', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['garbage', async () => 'Bearer not.a.jwt'],
      [
        'alg: none',
        async () => {
          const good = (await issuer.sign({})).split('.');
          return `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${good[1]}.`;
        },
      ],
      [
        'a forged signature',
        async () => {
          const [header, , signature] = (await issuer.sign({})).split('.');
          return `Bearer ${header}.${base64url({ tid: TEST_TENANT, oid: TEST_USER, scp: 'ManagedTenants.ReadWrite.All', iss: ISSUER, aud: AUDIENCE, exp: 9999999999 })}.${signature}`;
        },
      ],
      [
        'HS256 signed with the public key (key confusion)',
        async () => {
          const { createHmac } = await import('node:crypto');
          const header = base64url({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' });
          const payload = base64url({
            tid: TEST_TENANT,
            oid: TEST_USER,
            scp: 'ManagedTenants.ReadWrite.All',
            iss: ISSUER,
            aud: AUDIENCE,
            exp: 9999999999,
          });
          const signature = createHmac('sha256', JSON.stringify(issuer.jwks.keys[0]))
            .update(`${header}.${payload}`)
            .digest('base64url');
          return `Bearer ${header}.${payload}.${signature}`;
        },
      ],
      [
        'another issuer',
        async () => `Bearer ${await issuer.sign({}, { issuer: 'https://evil.example/' })}`,
      ],
      [
        'another audience',
        async () => `Bearer ${await issuer.sign({}, { audience: 'api://someone-else' })}`,
      ],
      ['an expired token', async () => `Bearer ${await issuer.sign({}, { expiresIn: -120 })}`],
      ['a token not valid yet', async () => `Bearer ${await issuer.sign({}, { notBefore: 600 })}`],
      ['a token without tid', async () => `Bearer ${await issuer.sign({ tid: undefined })}`],
      [
        'a token whose tid is not a GUID',
        async () => `Bearer ${await issuer.sign({ tid: 'contoso' })}`,
      ],
      [
        'a development-issuer token',
        async () => {
          const { mintDevelopmentToken } = await import('../src/auth/development-issuer');
          const key = await loadDevelopmentKey({
            databasePath: join(app.folder, 'elsewhere.sqlite'),
          });
          return `Bearer ${await mintDevelopmentToken(key, ISSUER, AUDIENCE, { tenantId: TEST_TENANT, userId: TEST_USER, scopes: ['ManagedTenants.ReadWrite.All'], expiresIn: 600 })}`;
        },
      ],
    ];

    it.each(cases)(
      '%s is 401 InvalidAuthenticationToken with WWW-Authenticate',
      async (_, header) => {
        const response = await list(await header());
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(
          /^Bearer realm="managed-tenant-operations"/,
        );
        const { error } = response.json();
        expect(error.code).toBe('InvalidAuthenticationToken');
        expect(error.message).toMatch(
          /^(Access token is empty\.|Access token validation failure\.( Invalid audience\.)?|Lifetime validation failed, the token is expired\.|Access token validation failure: the token is signed by a key this service does not trust; the token must be signed by one of the issuer's published keys\.)$/,
        );
      },
    );
  });

  it('keeps $metadata, the service document and Swagger UI public', async () => {
    for (const url of ['/beta/$metadata', '/beta', '/docs', '/docs-json']) {
      expect({ url, status: (await app.anonymous({ method: 'GET', url })).statusCode }).toEqual({
        url,
        status: 200,
      });
    }
  });

  it('needs a token for $count and $batch too', async () => {
    expect((await app.anonymous({ method: 'GET', url: `${ENTITY_SET}/$count` })).statusCode).toBe(
      401,
    );
    const batch = await app.anonymous({
      method: 'POST',
      url: '/beta/$batch',
      payload: { requests: [{ id: '1', method: 'GET', url: '/managedTenantOperations' }] },
    });
    expect(batch.statusCode).toBe(401);
  });

  describe('delegated permissions', () => {
    const as = async (claims: Record<string, unknown>) => `Bearer ${await issuer.sign(claims)}`;

    it('lets ManagedTenants.Read.All read but not write (403 Authorization_RequestDenied)', async () => {
      const reader = await as({ scp: 'User.Read ManagedTenants.Read.All' });
      expect(
        (await app.inject({ method: 'GET', url: ENTITY_SET, headers: { authorization: reader } }))
          .statusCode,
      ).toBe(200);
      for (const request of [
        { method: 'POST' as const, url: ENTITY_SET, payload: newOperation() },
        {
          method: 'PATCH' as const,
          url: `${ENTITY_SET}/${randomUUID()}`,
          payload: { status: 'x' },
        },
        { method: 'DELETE' as const, url: `${ENTITY_SET}/${randomUUID()}` },
      ]) {
        const response = await app.inject({ ...request, headers: { authorization: reader } });
        expect(response.statusCode).toBe(403);
        expect(response.json().error.code).toBe('Authorization_RequestDenied');
      }
    });

    it('refuses tokens without a ManagedTenants scope, and app-only tokens', async () => {
      for (const claims of [
        { scp: 'User.Read' },
        { scp: undefined, roles: ['ManagedTenants.ReadWrite.All'] },
      ]) {
        const response = await app.inject({
          method: 'GET',
          url: ENTITY_SET,
          headers: { authorization: await as(claims) },
        });
        expect(response.statusCode).toBe(403);
        expect(response.json().error.code).toBe('Authorization_RequestDenied');
      }
    });

    it('lets ManagedTenants.ReadWrite.All create, update and delete', async () => {
      const writer = await as({});
      const created = await app.inject({
        method: 'POST',
        url: ENTITY_SET,
        payload: newOperation(),
        headers: { authorization: writer },
      });
      expect(created.statusCode).toBe(201);
    });
  });
});

describe('the development issuer', () => {
  it('verifies tokens that `npm run token` would mint, and not those of another development key', async () => {
    const app = await TestApp.start();
    try {
      expect((await app.get(ENTITY_SET)).statusCode).toBe(200);
      const { mintDevelopmentToken } = await import('../src/auth/development-issuer');
      const strangerKey = await loadDevelopmentKey({
        databasePath: join(app.folder, 'other.sqlite'),
      });
      const forged = await mintDevelopmentToken(
        strangerKey,
        app.config.auth.issuer,
        app.config.auth.audience,
        {
          tenantId: TEST_TENANT,
          userId: TEST_USER,
          scopes: ['ManagedTenants.ReadWrite.All'],
          expiresIn: 600,
        },
      );
      expect((await app.get(ENTITY_SET, { authorization: `Bearer ${forged}` })).statusCode).toBe(
        401,
      );
    } finally {
      await app.dispose();
    }
  });

  it('says a token signed by another development key comes from another key, and how to get one that works', async () => {
    const app = await TestApp.start();
    try {
      const { mintDevelopmentToken } = await import('../src/auth/development-issuer');
      const elsewhere = await loadDevelopmentKey({
        databasePath: join(app.folder, 'another-database.sqlite'),
      });
      const token = await mintDevelopmentToken(
        elsewhere,
        app.config.auth.issuer,
        app.config.auth.audience,
        {
          tenantId: TEST_TENANT,
          userId: TEST_USER,
          scopes: ['ManagedTenants.ReadWrite.All'],
          expiresIn: 600,
        },
      );
      const response = await app.get(ENTITY_SET, { authorization: `Bearer ${token}` });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.message).toBe(
        'Access token validation failure: the token is signed by a key this service does not trust; a development token must come from `npm run token` with the same DATABASE_PATH or DEVELOPMENT_ISSUER_KEY as the service.',
      );
    } finally {
      await app.dispose();
    }
  });
});
