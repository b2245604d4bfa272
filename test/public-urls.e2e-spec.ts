import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newOperation } from './support/operation-factory';
import {
  ENTITY_SET,
  ListeningHttpsApp,
  startListeningOverHttps,
  TestApp,
} from './support/test-app';

const ROOT = resolve(__dirname, '..');
const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.contoso.test' };

/** The scheme and host of every URL the service builds: Location, @odata.context, nextLinks. */
describe('the URLs the service builds', () => {
  describe('behind a TLS-terminating proxy', () => {
    it('with TRUST_PROXY, follows X-Forwarded-Proto and X-Forwarded-Host', async () => {
      const app = await TestApp.start({ TRUST_PROXY: '1' });
      try {
        const created = await app.post(newOperation(), FORWARDED);
        expect(created.headers.location).toMatch(
          /^https:\/\/api\.contoso\.test\/beta\/managedTenantOperations\('/,
        );
        expect(created.json()['@odata.context']).toBe(
          'https://api.contoso.test/beta/$metadata#managedTenantOperations/$entity',
        );
        await app.post(newOperation());
        const page = await app.get(`${ENTITY_SET}?$top=1&$count=true`, {
          ...FORWARDED,
          prefer: 'odata.maxpagesize=1',
        });
        expect(page.json()['@odata.context']).toMatch(/^https:\/\/api\.contoso\.test\/beta\//);
      } finally {
        await app.dispose();
      }
    });

    it('with TRUST_PROXY naming other proxies, ignores the headers from this peer', async () => {
      const app = await TestApp.start({ TRUST_PROXY: '10.1.2.3,192.168.0.0/16' });
      try {
        const created = await app.post(newOperation(), FORWARDED);
        expect(created.headers.location).toMatch(/^http:\/\/localhost(:80)?\/beta\//);
      } finally {
        await app.dispose();
      }
    });

    it('without TRUST_PROXY, ignores them: a client cannot choose its links', async () => {
      const app = await TestApp.start();
      try {
        const created = await app.post(newOperation(), FORWARDED);
        expect(created.headers.location).not.toContain('contoso');
        expect(created.headers.location).toMatch(/^http:\/\//);
        expect(created.json()['@odata.context']).not.toContain('contoso');
        const batch = await app.inject({
          method: 'POST',
          url: '/beta/$batch',
          headers: FORWARDED,
          payload: {
            requests: [
              { id: '1', method: 'POST', url: '/managedTenantOperations', body: newOperation() },
            ],
          },
        });
        expect(batch.json().responses[0].headers.location).not.toContain('contoso');
      } finally {
        await app.dispose();
      }
    });
  });

  describe('over HTTPS', () => {
    let server: ListeningHttpsApp;
    beforeAll(async () => {
      server = await startListeningOverHttps();
    });
    afterAll(() => server.close());

    const send = (path: string, init: RequestInit = {}) =>
      fetch(`${server.baseUrl}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${server.token}`,
          'content-type': 'application/json',
          ...(init.headers as Record<string, string>),
        },
        dispatcher: server.trusting,
      } as RequestInit);

    it('says https in the links of the inner requests of a $batch too', async () => {
      const response = await send('/beta/$batch', {
        method: 'POST',
        body: JSON.stringify({
          requests: [
            { id: '1', method: 'POST', url: '/managedTenantOperations', body: newOperation() },
            { id: '2', method: 'GET', url: '/managedTenantOperations?$top=1', dependsOn: ['1'] },
          ],
        }),
      });
      const { responses } = (await response.json()) as {
        responses: Array<{ headers: Record<string, string>; body: Record<string, unknown> }>;
      };
      expect(responses[0].headers.location).toMatch(
        new RegExp(`^${server.baseUrl.replace(/\./g, '\\.')}/beta/`),
      );
      expect(responses[1].body['@odata.context']).toBe(
        `${server.baseUrl}/beta/$metadata#managedTenantOperations`,
      );
    });

    it('refuses plain http on the same port', async () => {
      await expect(
        fetch(`${server.baseUrl.replace('https:', 'http:')}/beta/$metadata`),
      ).rejects.toThrow();
    });
  });

  it('npm run dev-cert writes a certificate for localhost and 127.0.0.1 beside the database (key 0600) and prints what to set', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-dev-cert-'));
    try {
      const output = execFileSync(
        process.execPath,
        [
          '-r',
          join(ROOT, 'node_modules/ts-node/register/transpile-only'),
          join(ROOT, 'src/crypto/dev-cert.cli.ts'),
        ],
        {
          env: { ...process.env, DATABASE_PATH: join(folder, 'db', 'service.sqlite') },
          encoding: 'utf8',
        },
      );
      const certFile = join(folder, 'db', 'localhost-cert.pem');
      const keyFile = join(folder, 'db', 'localhost-key.pem');
      expect(output).toContain(`export TLS_CERT_FILE=${certFile}`);
      expect(output).toContain(`export TLS_KEY_FILE=${keyFile}`);
      expect(output).toContain(`export NODE_EXTRA_CA_CERTS=${certFile}`);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const certificate = new X509Certificate(readFileSync(certFile));
      expect(certificate.checkHost('localhost')).toBe('localhost');
      expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(certificate.checkHost('evil.test')).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
