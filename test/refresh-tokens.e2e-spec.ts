import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  resultsOf,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { noteSecret } from './support/run-log';
import { rawDatabaseBytes, storedRowsText } from './support/stored-rows';
import { ON_POSTGRES } from './support/test-database';
import { ENTITY_SET, TestApp } from './support/test-app';

const REFRESH = 'partner-refresh-token-0123456789abcdef';
const REVOKED = 'revoked-refresh-token-0123456789abcdef';
for (const secret of [REFRESH, REVOKED]) noteSecret(secret);

/**
 * Credentials that outlive an hour: `credentials.refreshToken`, against the Graph stand-in's token
 * endpoint (which rotates refresh tokens and refuses revoked ones).
 */
describe('credentials.refreshToken', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 2, usersPerTenant: 1 });
    simulator.revokedRefreshTokens.add(REVOKED);
    app = await TestApp.start(engineEnv(simulator));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const withRefreshToken = (refreshToken: string) => ({
    ...runnableOperation('GET /v1.0/organization', simulator.customerTenantIds),
    credentials: { refreshToken },
  });

  it('gets each tenant its token with it, keeps the rotated one, and never returns or stores it in clear', async () => {
    const id = await createOperation(app, withRefreshToken(REFRESH));
    const created = await app.get(`${ENTITY_SET}/${id}`);
    expect(Object.keys(created.json().credentials)).toEqual(['@odata.type']);
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const sent = simulator.tokenRequests.filter((form) => form.grant_type === 'refresh_token');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]).toMatchObject({
      client_id: 'test-client',
      client_secret: 'test-client-secret',
      refresh_token: REFRESH,
      scope: 'https://graph.microsoft.com/.default',
    });

    // The next run sends the refresh token the endpoint gave in exchange.
    simulator.tokenRequests.length = 0;
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const again = simulator.tokenRequests.filter((form) => form.grant_type === 'refresh_token');
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((form) => form.refresh_token.startsWith('simrt.'))).toBe(true);
    for (const form of again) noteSecret(form.refresh_token);
    expect(Object.keys((await app.get(`${ENTITY_SET}/${id}`)).json().credentials)).toEqual([
      '@odata.type',
    ]);
    const stored = ON_POSTGRES ? await storedRowsText(app) : rawDatabaseBytes(app.databasePath);
    expect(stored).not.toContain(REFRESH);
    for (const form of again) expect(stored).not.toContain(form.refresh_token);
  });

  it('fails each tenant saying what to renew when the refresh token is refused', async () => {
    const id = await createOperation(app, withRefreshToken(REVOKED));
    expect((await runOperation(app, id, 30)).json().status).toBe('failed');
    const results = await resultsOf(app, id);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.isSuccess).toBe(false);
      expect(result.exception).toMatch(
        /refused a token .* from credentials\.refreshToken: invalid_grant \(AADSTS\d+\)\. Renew credentials\.refreshToken/,
      );
      expect(result.exception).not.toContain(REVOKED);
    }
  });
});
