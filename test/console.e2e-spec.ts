import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, exportJWK } from 'jose';
import { noteSecret } from './support/run-log';
import { ENTITY_SET, TestApp } from './support/test-app';

const REMOTE = '203.0.113.7';

function settingsOf(page: string): Record<string, unknown> {
  const match = /<script type="application\/json" id="console-settings">(.*?)<\/script>/.exec(page);
  if (!match) throw new Error('The page has no settings block.');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

describe('the partner console (/console)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('serves its page without a token, revalidated, under its own policy, naming hashed assets', async () => {
    const page = await app.anonymous({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("connect-src 'self';");
    expect(settingsOf(page.body)).toEqual({ apiBase: '/beta', developmentSignIn: true });
    const script = /src="\/console\/assets\/(console-[A-Z0-9]+\.js)"/.exec(page.body)?.[1];
    const style = /href="\/console\/assets\/(console-[A-Z0-9]+\.css)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();

    const asset = await app.anonymous({ method: 'GET', url: `/console/assets/${script}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body.length).toBeGreaterThan(1000);
    const etag = String(asset.headers.etag);
    const again = await app.anonymous({
      method: 'GET',
      url: `/console/assets/${script}`,
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const css = await app.anonymous({ method: 'GET', url: `/console/assets/${style}` });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers an asset it did not build, or a path out of its folder, with a 404 error body', async () => {
    for (const url of [
      '/console/assets/nope.js',
      '/console/assets/..%2F..%2Fpackage.json',
      '/console/assets/%2e%2e%2findex.html',
    ]) {
      const response = await app.anonymous({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('resourceNotFound');
    }
  });

  it('offers the development sign-in only to a caller on this machine', async () => {
    const remote = await app.anonymous({ method: 'GET', url: '/console', remoteAddress: REMOTE });
    expect(settingsOf(remote.body).developmentSignIn).toBe(false);
    const proxied = await app.anonymous({
      method: 'GET',
      url: '/console',
      headers: { 'x-forwarded-for': REMOTE },
    });
    expect(settingsOf(proxied.body).developmentSignIn).toBe(false);
  });

  it('gives a local caller a development token for the tenant and user typed, which the API takes', async () => {
    const response = await app.anonymous({
      method: 'POST',
      url: '/console/development-token',
      payload: { tenant: 'Contoso partner', user: 'technician' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ accessToken: string; tenantId: string; userId: string }>();
    noteSecret(body.accessToken);
    expect(body.tenantId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    // A name stands for the same id every time; a GUID stands for itself.
    const again = await app.anonymous({
      method: 'POST',
      url: '/console/development-token',
      payload: { tenant: 'contoso partner', user: '9E8D7C6B-5A4F-4E3D-8C2B-1A0F9E8D7C6B' },
    });
    const second = again.json<{ accessToken: string; tenantId: string; userId: string }>();
    noteSecret(second.accessToken);
    expect(second.tenantId).toBe(body.tenantId);
    expect(second.userId).toBe('9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b');

    const list = await app.inject({
      method: 'GET',
      url: ENTITY_SET,
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(list.statusCode).toBe(200);
    const created = await app.inject({
      method: 'POST',
      url: '/beta/tenantGroups',
      headers: { authorization: `Bearer ${body.accessToken}` },
      payload: { displayName: 'made in the console' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().partnerTenantId).toBe(body.tenantId);
  });

  it('refuses a development token to a remote or proxied caller as if the route were not there', async () => {
    for (const request of [
      { remoteAddress: REMOTE },
      { headers: { 'x-forwarded-for': REMOTE } },
      { headers: { forwarded: `for=${REMOTE}` } },
    ]) {
      const response = await app.anonymous({
        method: 'POST',
        url: '/console/development-token',
        payload: { tenant: 'a', user: 'b' },
        ...request,
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('resourceNotFound');
    }
  });

  it('answers a development sign-in without a tenant or user with a 400 that says so', async () => {
    for (const payload of [
      {},
      { tenant: 'a' },
      { tenant: '', user: 'b' },
      { tenant: 'a'.repeat(201), user: 'b' },
    ]) {
      const response = await app.anonymous({
        method: 'POST',
        url: '/console/development-token',
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(
        /'(tenant|user)' must be a tenant id or a name/,
      );
    }
  });
});

describe('the console with an identity provider configured', () => {
  let app: TestApp;

  beforeAll(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-console-idp-'));
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const file = join(folder, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] }));
    app = await TestApp.start({
      AUTH_ISSUER: 'https://login.microsoftonline.com/partner/v2.0',
      AUTH_AUDIENCE: 'api://managed-tenant-operations',
      AUTH_JWKS_FILE: file,
      CONSOLE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      CONSOLE_AUTHORITY: 'https://login.microsoftonline.com/organizations',
      CONSOLE_SCOPES: 'api://managed-tenant-operations/ManagedTenants.ReadWrite.All',
    });
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('has no development sign-in route, even for a local caller', async () => {
    const response = await app.anonymous({
      method: 'POST',
      url: '/console/development-token',
      payload: { tenant: 'a', user: 'b' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('resourceNotFound');
  });

  it('offers Microsoft Entra ID sign-in and lets the page reach only that authority besides itself', async () => {
    const page = await app.anonymous({ method: 'GET', url: '/console' });
    expect(settingsOf(page.body)).toEqual({
      apiBase: '/beta',
      developmentSignIn: false,
      entra: {
        clientId: '11111111-2222-3333-4444-555555555555',
        authority: 'https://login.microsoftonline.com/organizations',
        scopes: ['api://managed-tenant-operations/ManagedTenants.ReadWrite.All'],
      },
    });
    expect(page.headers['content-security-policy']).toContain(
      "connect-src 'self' https://login.microsoftonline.com;",
    );
  });
});

describe('the console switched off (CONSOLE_ENABLED=0)', () => {
  it('is not served', async () => {
    const app = await TestApp.start({ CONSOLE_ENABLED: '0' });
    try {
      for (const [method, url] of [
        ['GET', '/console'],
        ['POST', '/console/development-token'],
      ] as const) {
        const response = await app.anonymous({
          method,
          url,
          payload: method === 'POST' ? {} : undefined,
        });
        expect(response.statusCode).toBe(404);
      }
    } finally {
      await app.dispose();
    }
  });
});
