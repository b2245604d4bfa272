import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { noteSecret } from './support/run-log';
import { eventually } from './support/schedules';
import { rawDatabaseBytes, storedRowsText } from './support/stored-rows';
import { ON_POSTGRES } from './support/test-database';
import { TEST_TENANT, TestApp } from './support/test-app';

const TENANTS = '/beta/tenants';
const DAP = 'directory-dap-token-0123456789abcdef';
const REFRESH = 'directory-refresh-token-0123456789abcdef';
const REVOKED = 'directory-revoked-token-0123456789abcdef';
for (const secret of [DAP, REFRESH, REVOKED]) noteSecret(secret);
const OTHER_PARTNER = '0f1e2d3c-4b5a-4968-8776-655443322110';

/**
 * The partner's directory of customer tenants, filled from its contracts (GET /v1.0/contracts on
 * the Graph stand-in, which pages them 40 at a time).
 */
describe('tenants: the directory of customer tenants', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 90, usersPerTenant: 1, contractsPageSize: 40 });
    simulator.revokedRefreshTokens.add(REVOKED);
    app = await TestApp.start(engineEnv(simulator, { DIRECTORY_POLL_MS: '100' }));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const refresh = (credentials: Record<string, unknown>, token?: string) =>
    app.inject({
      method: 'POST',
      url: `${TENANTS}/refresh`,
      payload: { credentials },
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const tenants = async (query = '', token?: string) => {
    const response = await app.inject({
      method: 'GET',
      url: `${TENANTS}?$top=999${query}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    expect([response.statusCode, query]).toEqual([200, query]);
    return response.json().value as Array<Record<string, any>>;
  };
  const contractCalls = () =>
    simulator.calls.filter((call) => call.path.startsWith('/v1.0/contracts?'));

  it('is empty until refreshed, then lists every customer of every page of contracts in Lighthouse’s shape', async () => {
    expect(await tenants()).toEqual([]);
    const before = contractCalls().length;
    const accepted = await refresh({ dapAccessToken: DAP });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.headers.location).toBe('http://localhost:80/beta/tenants');
    const listed = await eventually(tenants, (value) => value.length === 90);
    // Three pages of contracts, each followed by its nextLink.
    expect(contractCalls().length - before).toBe(3);
    const first = simulator.customerTenantIds[0];
    const third = simulator.customerTenantIds[2];
    const byId = new Map(listed.map((tenant) => [tenant.id, tenant]));
    expect(byId.get(first)).toEqual({
      '@odata.type': '#microsoft.graph.managedTenants.tenant',
      '@odata.etag': expect.any(String),
      partnerTenantId: TEST_TENANT,
      id: first,
      tenantId: first,
      displayName: 'Customer 1',
      contract: {
        '@odata.type': 'microsoft.graph.managedTenants.tenantContract',
        contractType: 'ResellerPartner',
        defaultDomainName: 'tenant1.onmicrosoft.com',
        displayName: 'Customer 1',
      },
      tenantStatusInformation: {
        '@odata.type': 'microsoft.graph.managedTenants.tenantStatusInformation',
        delegatedPrivilegeStatus: 'delegatedAdminPrivileges',
        lastDelegatedPrivilegeRefreshDateTime: expect.any(String),
        offboardedDateTime: null,
      },
      tags: [],
      createdDateTime: expect.any(String),
      lastUpdatedDateTime: expect.any(String),
      lastModifiedDateTime: expect.any(String),
    });
    expect(byId.get(third)!.contract.contractType).toBe('SyndicationPartner');
  });

  it('serves every query option, and changes tags only', async () => {
    const [first, second] = simulator.customerTenantIds;
    const tagged = await app.patch(`${TENANTS}/${first}`, { tags: ['gold', 'eu'] });
    expect(tagged.statusCode).toBe(200);
    expect(tagged.json().tags).toEqual(['gold', 'eu']);
    const renamed = await app.patch(`${TENANTS}/${second}`, { displayName: 'Mine now' });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().error.message).toMatch(/'displayName' is read-only.*'tags'/);
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const url = method === 'POST' ? TENANTS : `${TENANTS}/${first}`;
      const refused = await app.inject({
        method,
        url,
        payload: method === 'DELETE' ? undefined : {},
      });
      expect(refused.statusCode).toBe(405);
    }

    expect((await tenants(`&$filter=tags/any(t: t eq 'gold')`)).map((t) => t.id)).toEqual([first]);
    const syndicated = await tenants(
      `&$filter=contract/contractType eq 'SyndicationPartner'&$count=true`,
    );
    expect(syndicated).toHaveLength(30);
    const ordered = await app.get(
      `${TENANTS}?$orderby=displayName desc&$select=displayName&$top=2`,
    );
    expect(ordered.json().value.map((t: { displayName: string }) => t.displayName)).toEqual([
      'Customer 90',
      'Customer 9',
    ]);
    const searched = await tenants('&$search="Customer 42"');
    expect(searched.map((t) => t.displayName)).toEqual(['Customer 42']);
    const count = await app.get(`${TENANTS}/$count?$filter=startswith(displayName,'Customer 1')`);
    expect(count.body).toBe('11');
    const paged = await app.get(`${TENANTS}?$top=50`, { prefer: 'odata.maxpagesize=20' });
    expect(paged.json().value).toHaveLength(20);
    expect(paged.json()['@odata.nextLink']).toContain('$skiptoken=');
    const one = await app.get(`${TENANTS}/${first}?$select=displayName,tags`);
    expect(one.json()).toMatchObject({ displayName: 'Customer 1', tags: ['gold', 'eu'] });
  });

  it('keeps a customer that is no longer in the contracts, with no delegated privileges, and keeps tags across refreshes', async () => {
    const [first, , , gone] = simulator.customerTenantIds;
    simulator.endedContracts.add(gone);
    const before = (await tenants()).find((t) => t.id === first)!;
    expect((await refresh({ dapAccessToken: DAP })).statusCode).toBe(202);
    const after = await eventually(
      tenants,
      (value) =>
        value.find((t) => t.id === gone)?.tenantStatusInformation.delegatedPrivilegeStatus ===
        'none',
    );
    expect(after).toHaveLength(90);
    const ended = after.find((t) => t.id === gone)!;
    expect(ended.tenantStatusInformation.offboardedDateTime).toEqual(expect.any(String));
    const none = await tenants(
      `&$filter=tenantStatusInformation/delegatedPrivilegeStatus eq 'none'`,
    );
    expect(none.map((t) => t.id)).toEqual([gone]);
    // An unchanged customer is not written again: same version, same tags.
    const unchanged = after.find((t) => t.id === first)!;
    expect(unchanged['@odata.etag']).toBe(before['@odata.etag']);
    expect(unchanged.tags).toEqual(['gold', 'eu']);

    // Listed again: delegated privileges again.
    simulator.endedContracts.delete(gone);
    await refresh({ dapAccessToken: DAP });
    await eventually(
      tenants,
      (value) =>
        value.find((t) => t.id === gone)?.tenantStatusInformation.delegatedPrivilegeStatus ===
        'delegatedAdminPrivileges',
    );
  });

  it('tells what changed through delta: a tag, and nothing for a refresh that changed nothing', async () => {
    // A customer already no longer listed is not written again by the refreshes that follow.
    const ended = simulator.customerTenantIds[7];
    const statusOf = (value: Array<Record<string, any>>) =>
      value.find((t) => t.id === ended)?.tenantStatusInformation.delegatedPrivilegeStatus;
    simulator.endedContracts.add(ended);
    await refresh({ dapAccessToken: DAP });
    await eventually(tenants, (value) => statusOf(value) === 'none');
    const everything: Array<Record<string, any>> = [];
    let url: string | undefined = `${TENANTS}/delta`;
    let deltaLink = '';
    while (url) {
      const page: Record<string, any> = (await app.get(url)).json();
      everything.push(...page.value);
      url = page['@odata.nextLink'] && `/beta/${page['@odata.nextLink']}`;
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
    }
    expect(everything).toHaveLength(90);
    const customer = simulator.customerTenantIds[5];
    await app.patch(`${TENANTS}/${customer}`, { tags: ['silver'] });
    const calls = contractCalls().length;
    await refresh({ dapAccessToken: DAP });
    expect(
      await eventually(
        async () => contractCalls().length,
        (n) => n >= calls + 3,
      ),
    ).toBe(calls + 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Links are relative to the service root.
    const answer = await app.get(`/beta/${deltaLink}`);
    expect([answer.statusCode, deltaLink]).toEqual([200, deltaLink]);
    const changes = answer.json();
    expect(
      changes.value.map((tenant: Record<string, unknown>) => [tenant.id, tenant.tags]),
    ).toEqual([[customer, ['silver']]]);

    simulator.endedContracts.delete(ended);
    await refresh({ dapAccessToken: DAP });
    await eventually(tenants, (value) => statusOf(value) === 'delegatedAdminPrivileges');
  });

  it('shows each partner only its own directory, from its own contracts', async () => {
    const other = await app.token({ tenantId: OTHER_PARTNER });
    const own = simulator.customerTenantIds.slice(0, 3);
    simulator.partnerCustomers.set(OTHER_PARTNER, own);
    expect(await tenants('', other)).toEqual([]);
    expect((await refresh({ dapAccessToken: DAP }, other)).statusCode).toBe(202);
    const listed = await eventually(
      () => tenants('', other),
      (value) => value.length === 3,
    );
    expect(listed.every((tenant) => tenant.partnerTenantId === OTHER_PARTNER)).toBe(true);
    // The same customer in two directories: each partner's tags are its own.
    expect(listed.find((t) => t.id === own[0])!.tags).toEqual([]);
    const elsewhere = await app.inject({
      method: 'PATCH',
      url: `${TENANTS}/${simulator.customerTenantIds[10]}`,
      payload: { tags: ['x'] },
      headers: { authorization: `Bearer ${other}` },
    });
    expect(elsewhere.statusCode).toBe(404);
    expect(await tenants()).toHaveLength(90);
  });

  it('keeps a refresh token, encrypted, to refresh by itself; forgets one that is refused', async () => {
    const periodic = await TestApp.start(
      engineEnv(simulator, { DIRECTORY_POLL_MS: '100', DIRECTORY_REFRESH_HOURS: String(1 / 3600) }),
    );
    try {
      const grants = async () =>
        simulator.tokenRequests.filter((form) => form.grant_type === 'refresh_token').length;
      const first = await grants();
      const accepted = await periodic.inject({
        method: 'POST',
        url: `${TENANTS}/microsoft.graph.managedTenants.refresh`,
        payload: { credentials: { refreshToken: REFRESH } },
      });
      expect(accepted.statusCode).toBe(202);
      // Refreshed at once, then again every DIRECTORY_REFRESH_HOURS (here a second) by itself.
      expect(
        await eventually(grants, (count) => count >= first + 2, 20_000),
      ).toBeGreaterThanOrEqual(first + 2);
      const stored = ON_POSTGRES
        ? await storedRowsText(periodic, ['tenant_directories'])
        : rawDatabaseBytes(periodic.databasePath);
      expect(stored).not.toContain(REFRESH);

      await periodic.inject({
        method: 'POST',
        url: `${TENANTS}/refresh`,
        payload: { credentials: { refreshToken: REVOKED } },
      });
      const refused = async () =>
        simulator.tokenRequests.filter((form) => form.refresh_token === REVOKED).length;
      expect(await eventually(refused, (count) => count === 1)).toBe(1);
      // Refused once, then never sent again.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await refused()).toBe(1);
    } finally {
      await periodic.dispose();
    }
  }, 30_000);

  it('refuses a body without credentials, with unknown parameters, or with a token of the wrong type', async () => {
    for (const [payload, message] of [
      [{}, /'credentials' is required/],
      [{ credentials: {} }, /must carry a dapAccessToken or a refreshToken/],
      [{ credentials: { dapAccessToken: 7 } }, /'credentials.dapAccessToken' must be/],
      [{ credentials: { dapAccessToken: DAP }, extra: 1 }, /'extra' is not a property/],
      [[], /must be a JSON object/],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: `${TENANTS}/refresh`,
        payload: payload as object,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
  });
});

describe('tenants: an allTenants run lists the customers anyway', () => {
  let simulator: RunningSimulator;
  let app: TestApp;

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 5, usersPerTenant: 1, contractsPageSize: 2 });
    app = await TestApp.start(engineEnv(simulator));
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  it('and fills the directory with them, as a refresh would', async () => {
    simulator.endedContracts.add(simulator.customerTenantIds[4]);
    const id = await createOperation(app, runnableOperation('GET /v1.0/organization', 'all'));
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const listed = (await app.get(`${TENANTS}?$orderby=displayName`)).json().value;
    expect(listed.map((tenant: Record<string, unknown>) => tenant.displayName)).toEqual([
      'Customer 1',
      'Customer 2',
      'Customer 3',
      'Customer 4',
    ]);
  });
});
