import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { MAX_TOKEN_ANSWER_BYTES, TenantTokens, tokenUrlOf } from './tenant-tokens';

const TENANT = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const DAP = 'dap-assertion-value-0123456789';
const SECRET = 'the-client-secret-value';

/** The token endpoint on loopback, answering as each test scripts. */
describe('TenantTokens', () => {
  let server: Server;
  let origin: string;
  let answer: (request: IncomingMessage, response: ServerResponse) => void;
  let paths: string[];
  let forms: Array<Record<string, string>>;
  const dispatcher = new Agent({ connections: 4 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url!);
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        forms.push(Object.fromEntries(new URLSearchParams(body)));
        answer(request, response);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    paths = [];
    forms = [];
  });
  afterAll(async () => {
    // Some tests leave a request the server never answers: end it rather than wait for it.
    server.closeAllConnections();
    await dispatcher.destroy();
    await new Promise((done) => server.close(done));
  });

  /**
   * The deadline of the test about the deadline. The others get one far off, so that a loaded
   * machine (the stand-in answers on this process's event loop) cannot turn an answer into a
   * time-out.
   */
  const SHORT_DEADLINE_MS = 500;
  const tokens = (authorityUrl = origin, callTimeoutMs = 10_000) =>
    new TenantTokens(
      { authorityUrl, client: { id: 'client', secret: SECRET }, callTimeoutMs },
      dispatcher,
    );

  it('reads no more of an answer than a token answer can be, and says so', async () => {
    answer = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      // An endless answer: the client must stop reading, not collect it.
      const chunk = Buffer.alloc(64 * 1024, 32);
      const write = (): void => {
        while (response.write(chunk));
      };
      response.on('drain', write);
      write();
    };
    const started = Date.now();
    await expect(tokens(origin, 30_000).tokenFor(TENANT, { dapAccessToken: DAP })).rejects.toThrow(
      `The token endpoint's answer for tenant ${TENANT} was not read: the answer is larger than ${MAX_TOKEN_ANSWER_BYTES / 1024} KiB.`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up at the deadline on an answer that trickles', async () => {
    answer = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"access_token":"');
      const timer = setInterval(() => response.write('a'), 50);
      response.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    await expect(
      tokens(origin, SHORT_DEADLINE_MS).tokenFor(TENANT, { dapAccessToken: DAP }),
    ).rejects.toThrow('the answer did not end within 500 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps the assertion, the client secret and JWTs out of the error it reports', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';
    answer = (_, response) =>
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: `invalid_grant: the assertion ${DAP} was refused (client secret ${SECRET}; ${jwt})`,
          error_codes: [50020],
        }),
      );
    const error = await tokens()
      .tokenFor(TENANT, { dapAccessToken: DAP })
      .catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `The token endpoint refused a token for tenant ${TENANT}: invalid_grant: the assertion [redacted] was refused (client secret [redacted]; [redacted]) (AADSTS50020).`,
    );
  });

  it('asks only for a tenant id that is a GUID, as one path segment after the authority path', async () => {
    answer = (_, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: 'tenant-token', expires_in: 3600 }));
    for (const tenant of ['..', '', '../../x', '%2e%2e', `${origin}/x`, '?x=1', 'a/b']) {
      await expect(tokens().tokenFor(tenant, { dapAccessToken: DAP })).rejects.toThrow(
        'is not a tenant id (a GUID)',
      );
    }
    expect(paths).toEqual([]);
    await expect(tokens(`${origin}/idp/`).tokenFor(TENANT, { dapAccessToken: DAP })).resolves.toBe(
      'tenant-token',
    );
    expect(paths).toEqual([`/idp/${TENANT}/oauth2/v2.0/token`]);
    expect(tokenUrlOf('https://login.example/a/b', TENANT)).toBe(
      `https://login.example/a/b/${TENANT}/oauth2/v2.0/token`,
    );
  });

  it('stops waiting when the tenant is stopped', async () => {
    answer = () => undefined; // never answers within the test
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    // A deadline far off: only the stop can end the wait this soon.
    await expect(
      tokens(origin, 30_000).tokenFor(TENANT, { dapAccessToken: DAP }, controller.signal),
    ).rejects.toThrow('stopped');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  describe('with a refresh token', () => {
    const REFRESH = 'refresh-token-value-0123456789';

    it('asks with the refresh-token grant, and hands on the new refresh token of the answer', async () => {
      answer = (_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            access_token: 'tenant-token',
            expires_in: 3600,
            refresh_token: 'next-refresh',
          }),
        );
      };
      const kept: string[] = [];
      const credentials = {
        refreshToken: REFRESH,
        keepRefreshToken: (next: string) => kept.push(next),
      };
      await expect(tokens().tokenFor(TENANT, credentials)).resolves.toBe('tenant-token');
      expect(forms).toEqual([
        {
          grant_type: 'refresh_token',
          client_id: 'client',
          client_secret: SECRET,
          refresh_token: REFRESH,
          scope: 'https://graph.microsoft.com/.default',
        },
      ]);
      expect(kept).toEqual(['next-refresh']);
    });

    it('says what to renew when the refresh token is refused, and never says the token', async () => {
      answer = (_, response) => {
        response.writeHead(400, { 'content-type': 'application/json' });
        // A hostile endpoint echoes what it was sent.
        response.end(
          JSON.stringify({ error: `invalid_grant ${REFRESH} ${SECRET}`, error_codes: [700082] }),
        );
      };
      const failure = await tokens()
        .tokenFor(TENANT, { refreshToken: REFRESH, dapAccessToken: DAP })
        .catch((error: Error) => error.message);
      expect(failure).toMatch(
        /from credentials\.refreshToken: invalid_grant .*AADSTS700082.*Renew credentials\.refreshToken/,
      );
      expect(failure).not.toContain(REFRESH);
      expect(failure).not.toContain(SECRET);
    });

    it('needs an app registration: without ENTRA_CLIENT_ID a refresh token alone gets no token', async () => {
      const noClient = new TenantTokens({ authorityUrl: origin, callTimeoutMs: 500 }, dispatcher);
      await expect(noClient.tokenFor(TENANT, { refreshToken: REFRESH })).rejects.toThrow(
        /ENTRA_CLIENT_ID/,
      );
      await expect(
        noClient.tokenFor(TENANT, { refreshToken: REFRESH, dapAccessToken: DAP }),
      ).resolves.toBe(DAP);
    });
  });
});
