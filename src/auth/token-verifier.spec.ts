import { importJWK, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createDevelopmentKey, DevelopmentKey, mintDevelopmentToken } from './development-issuer';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://issuer.example/';
const AUDIENCE = 'https://service.example';

describe('TokenVerifier.knownCaller', () => {
  let key: DevelopmentKey;
  let verifier: TokenVerifier;
  const tenantId = randomUUID();

  beforeAll(async () => {
    key = JSON.parse(await createDevelopmentKey()) as DevelopmentKey;
  });

  beforeEach(() => {
    verifier = TokenVerifier.create(
      { mode: 'development', issuer: ISSUER, audience: AUDIENCE },
      key,
    );
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  function mint(expiresIn = 600): Promise<string> {
    return mintDevelopmentToken(key, ISSUER, AUDIENCE, {
      tenantId,
      userId: randomUUID(),
      scopes: ['ManagedTenants.Read.All'],
      expiresIn,
    });
  }

  it('knows no caller of a token that verify() has not accepted', async () => {
    const token = await mint();
    expect(verifier.knownCaller(`Bearer ${token}`)).toBeUndefined();
    expect(verifier.knownCaller(undefined)).toBeUndefined();
    await expect(verifier.verify(`Bearer ${token}x`)).rejects.toThrow();
    expect(verifier.knownCaller(`Bearer ${token}x`)).toBeUndefined();
  });

  it('knows the caller of an accepted token, in the header forms verify() accepts', async () => {
    const token = await mint();
    const caller = await verifier.verify(`Bearer ${token}`);
    expect(caller.tenantId).toBe(tenantId);
    expect(verifier.knownCaller(`Bearer ${token}`)).toBe(caller);
    expect(verifier.knownCaller(` bearer ${token} `)).toBe(caller);
    expect(verifier.knownCaller(`Basic ${token}`)).toBeUndefined();
    expect(verifier.knownCaller(`Bearer  ${token}`)).toBeUndefined();
  });

  it('forgets it when the token expires', async () => {
    const token = await mint(120);
    await verifier.verify(`Bearer ${token}`);
    jest.useFakeTimers({ now: Date.now() + 121_000 });
    expect(verifier.knownCaller(`Bearer ${token}`)).toBeUndefined();
    // verify() itself still allows 60 s of clock skew past the expiry, and refuses it after that.
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toBeDefined();
    jest.useFakeTimers({ now: Date.now() + 61_000 });
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toThrow();
  });

  it('names the client application from azp (v2 tokens) or appid (v1), when it is a GUID', async () => {
    const application = randomUUID();
    const signed = async (claims: Record<string, unknown>) =>
      new SignJWT({ tid: tenantId, oid: randomUUID(), scp: 'ManagedTenants.Read.All', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: key.privateJwk.kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(await importJWK(key.privateJwk, 'ES256'));
    expect(
      (await verifier.verify(`Bearer ${await signed({ azp: application })}`)).applicationId,
    ).toBe(application);
    expect(
      (await verifier.verify(`Bearer ${await signed({ appid: application.toUpperCase() })}`))
        .applicationId,
    ).toBe(application);
    expect(
      (await verifier.verify(`Bearer ${await signed({ azp: 'not-a-guid' })}`)).applicationId,
    ).toBeUndefined();
    expect((await verifier.verify(`Bearer ${await signed({})}`)).applicationId).toBeUndefined();
  });
});
