import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { GROUPS, startWithDirectory, TENANTS } from './support/directory';
import { TestApp } from './support/test-app';

const OTHER_PARTNER = '0f1e2d3c-4b5a-4968-8776-655443322110';

/** Groups of the partner's customer tenants: static, by rule, and everyone. */
describe('tenantGroups', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let customers: readonly string[];

  beforeAll(async () => {
    // Gold: customers 1, 2, 3 and 6 (3 and 6 are syndicated, every third customer is).
    ({ simulator, app } = await startWithDirectory(12, [0, 1, 2, 5]));
    customers = simulator.customerTenantIds;
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const created = await app.inject({ method: 'POST', url: GROUPS, payload: body });
    expect([created.statusCode, created.body]).toEqual([201, expect.any(String)]);
    return created.json() as Record<string, any>;
  };
  const members = async (id: string, query = '') => {
    const response = await app.get(`${GROUPS}/${id}/members${query}`);
    expect([response.statusCode, query]).toEqual([200, query]);
    return response.json() as Record<string, any>;
  };
  const names = (page: Record<string, any>) =>
    (page.value as Array<{ displayName: string }>).map((tenant) => tenant.displayName).sort();

  it('are created, read, listed, changed, replaced and deleted in Lighthouse’s shape', async () => {
    const group = await create({ displayName: 'Pilot', tenantIds: [customers[0], customers[1]] });
    expect(group).toMatchObject({
      '@odata.type': '#microsoft.graph.managedTenants.tenantGroup',
      displayName: 'Pilot',
      allTenantsIncluded: false,
      tenantIds: [customers[0], customers[1]],
      membershipRule: null,
    });
    expect((await app.get(`${GROUPS}/${group.id}`)).json().displayName).toBe('Pilot');
    const listed = await app.get(`${GROUPS}?$filter=startswith(displayName,'Pil')&$count=true`);
    expect(listed.json()['@odata.count']).toBe(1);
    const changed = await app.patch(`${GROUPS}/${group.id}`, { displayName: 'Pilot wave' });
    expect(changed.json()).toMatchObject({ displayName: 'Pilot wave', tenantIds: group.tenantIds });
    const replaced = await app.inject({
      method: 'PUT',
      url: `${GROUPS}/${group.id}`,
      payload: { displayName: 'Everyone', allTenantsIncluded: true },
    });
    expect(replaced.json()).toMatchObject({ allTenantsIncluded: true, tenantIds: [] });
    expect((await app.delete(`${GROUPS}/${group.id}`)).statusCode).toBe(204);
    expect((await app.get(`${GROUPS}/${group.id}`)).statusCode).toBe(404);
  });

  it('hold the tenants named, those the rule selects, or every tenant of the directory', async () => {
    const rule = "tags/any(t: t eq 'gold') and contract/contractType eq 'ResellerPartner'";
    const byRule = await create({ displayName: 'Gold resellers', membershipRule: rule });
    expect(names(await members(byRule.id))).toEqual(['Customer 1', 'Customer 2']);

    const both = await create({
      displayName: 'Gold resellers and customer 12',
      membershipRule: rule,
      tenantIds: [customers[11]],
    });
    expect(names(await members(both.id))).toEqual(['Customer 1', 'Customer 12', 'Customer 2']);

    const everyone = await create({ displayName: 'All', allTenantsIncluded: true });
    expect((await members(everyone.id, '?$count=true'))['@odata.count']).toBe(12);

    const nobody = await create({ displayName: 'Empty' });
    expect((await members(nobody.id, '?$count=true')).value).toEqual([]);

    // The request's own query options apply within the group.
    const page = await members(
      both.id,
      "?$filter=startswith(displayName,'Customer 1')&$select=displayName&$orderby=displayName desc",
    );
    expect(page.value).toEqual([
      expect.objectContaining({ displayName: 'Customer 12' }),
      expect.objectContaining({ displayName: 'Customer 1' }),
    ]);
    expect(Object.keys(page.value[0]).filter((key) => !key.startsWith('@'))).toEqual([
      'id',
      'displayName',
    ]);
    expect(
      (await app.get(`${GROUPS}/${both.id}/microsoft.graph.managedTenants.members`)).statusCode,
    ).toBe(200);

    // Members follow the directory: a tag added now puts the tenant in the group.
    await app.patch(`${TENANTS}/${customers[3]}`, { tags: ['gold'] });
    expect(names(await members(byRule.id))).toEqual(['Customer 1', 'Customer 2', 'Customer 4']);
  });

  it('refuse a rule the directory cannot answer, saying where', async () => {
    for (const [rule, message] of [
      ['tags/any(t: t eq ', /Invalid membershipRule at position \d+/],
      ['colour eq 1', /Invalid membershipRule.*colour/],
      ["displayName eq 'x' and", /Invalid membershipRule at position \d+/],
    ] as const) {
      const refused = await app.inject({
        method: 'POST',
        url: GROUPS,
        payload: { displayName: 'Bad', membershipRule: rule },
      });
      expect([refused.statusCode, refused.json().error.message]).toEqual([
        400,
        expect.stringMatching(message),
      ]);
    }
    const group = await create({ displayName: 'Later bad' });
    const patched = await app.patch(`${GROUPS}/${group.id}`, { membershipRule: 'tags eq' });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/Invalid membershipRule/);
  });

  it('belong to their partner only', async () => {
    const group = await create({ displayName: 'Mine', allTenantsIncluded: true });
    const other = await app.token({ tenantId: OTHER_PARTNER });
    for (const url of [`${GROUPS}/${group.id}`, `${GROUPS}/${group.id}/members`]) {
      const response = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${other}` },
      });
      expect(response.statusCode).toBe(404);
    }
  });

  it('are in $metadata with their bound function members', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toContain('<EntityType Name="tenantGroup"');
    expect(xml).toContain('<Property Name="membershipRule" Type="Edm.String"');
    expect(xml).toMatch(
      /<Function Name="members" IsBound="true">\s*<Parameter Name="bindingParameter" Type="microsoft.graph.managedTenants.tenantGroup"/,
    );
    expect(xml).toContain('<EntitySet Name="tenantGroups"');
  });
});
