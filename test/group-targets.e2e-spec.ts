import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  finished,
  resultsOf,
  runnableOperation,
  runOperation,
} from './support/engine';
import { eventually } from './support/schedules';
import { GROUPS, startWithDirectory } from './support/directory';
import { ENTITY_SET, TestApp } from './support/test-app';
import { newRecord, RESULTS } from './support/record-factory';

/** Targets that people write: groups of tenants and exclusions, worked out when a run starts. */
describe('targets with tenant groups and exclusions', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let c: readonly string[];

  beforeAll(async () => {
    ({ simulator, app } = await startWithDirectory(8, [0, 1, 3]));
    c = simulator.customerTenantIds;
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  const group = async (body: Record<string, unknown>): Promise<string> => {
    const created = await app.inject({ method: 'POST', url: GROUPS, payload: body });
    expect(created.statusCode).toBe(201);
    return created.json().id;
  };
  const operation = (target: Record<string, unknown>) => ({
    ...runnableOperation('GET /v1.0/organization', []),
    target: { allTenants: false, ...target },
  });
  const ranIn = async (id: string, runNumber?: number) =>
    (await resultsOf(app, id))
      .filter((result) => runNumber === undefined || result.runNumber === runNumber)
      .map((result) => result.targetTenantId as string)
      .sort();
  const sorted = (...ids: string[]) => [...ids].sort();

  it('runs in the tenants named, the groups’ members, less the excluded ones', async () => {
    const gold = await group({ displayName: 'Gold', membershipRule: "tags/any(t: t eq 'gold')" });
    const pilot = await group({ displayName: 'Pilot', tenantIds: [c[5]] });
    const id = await createOperation(
      app,
      operation({ tenantIds: [c[6]], tenantGroupIds: [gold, pilot], excludedTenantIds: [c[1]] }),
    );
    const run = await runOperation(app, id, 30);
    expect(run.json().status).toBe('succeeded');
    expect(await ranIn(id)).toEqual(sorted(c[0], c[3], c[5], c[6]));
    const history = (await app.get(`${ENTITY_SET}/${id}/runs/1`)).json();
    expect(history.tenantCount).toBe(4);
  });

  it('takes every customer for a group of everyone, less the excluded ones, as allTenants does', async () => {
    const everyone = await group({ displayName: 'Everyone', allTenantsIncluded: true });
    const viaGroup = await createOperation(
      app,
      operation({ tenantGroupIds: [everyone], excludedTenantIds: [c[2], c[4]] }),
    );
    expect((await runOperation(app, viaGroup, 30)).json().status).toBe('succeeded');
    expect(await ranIn(viaGroup)).toEqual(sorted(c[0], c[1], c[3], c[5], c[6], c[7]));

    const all = await createOperation(
      app,
      operation({ allTenants: true, excludedTenantIds: [c[0]] }),
    );
    expect((await runOperation(app, all, 30)).json().status).toBe('succeeded');
    expect(await ranIn(all)).toEqual(sorted(...c.slice(1)));
  });

  it('runs once in a tenant named more than once: by id, by a group and by the contracts', async () => {
    const everyone = await group({ displayName: 'All of them', allTenantsIncluded: true });
    const pilot = await group({ displayName: 'Pilot two', tenantIds: [c[5], c[6]] });
    const id = await createOperation(
      app,
      operation({ tenantIds: [c[0], c[5]], tenantGroupIds: [pilot, everyone] }),
    );
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    expect(await ranIn(id)).toEqual(sorted(...c));
    const history = (await app.get(`${ENTITY_SET}/${id}/runs/1`)).json();
    expect(history.tenantCount).toBe(c.length);
  });

  it('freezes the tenants when the run starts: a change to the group meanwhile waits for the next run', async () => {
    const wave = await group({ displayName: 'Wave', tenantIds: [c[0], c[1]] });
    const id = await createOperation(app, operation({ tenantGroupIds: [wave] }));
    simulator.setLatency(400);
    try {
      expect((await runOperation(app, id)).statusCode).toBe(202);
      await eventually(
        async () => (await app.get(`${ENTITY_SET}/${id}/runs/1`)).json().tenantCount,
        (count) => count === 2,
      );
      const changed = await app.patch(`${GROUPS}/${wave}`, { tenantIds: [c[0], c[1], c[2]] });
      expect(changed.statusCode).toBe(200);
      expect((await finished(app, id)).status).toBe('succeeded');
    } finally {
      simulator.setLatency(0);
    }
    expect(await ranIn(id, 1)).toEqual(sorted(c[0], c[1]));
    // A run of every target again takes the group as it is now.
    await app.patch(`${ENTITY_SET}/${id}`, { description: 'again' });
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    expect(await ranIn(id, 2)).toEqual(sorted(c[0], c[1], c[2]));
  });

  it('names each tenant in the differences between two runs, from the directory', async () => {
    const id = await createOperation(app, {
      ...runnableOperation('GET /v1.0/users', []),
      target: { allTenants: false, tenantIds: [c[0], c[1]] },
    });
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    simulator.directoryOf(c[1]).addedUsers = 1;
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const differences = (await app.get(`${ENTITY_SET}/${id}/compareRuns`)).json().value;
    expect(differences).toEqual([
      expect.objectContaining({
        targetTenantId: c[1],
        tenantDisplayName: 'Customer 2',
        changeType: 'added',
      }),
    ]);
  });

  it('gives each result its tenant: $expand, $filter and $orderby by the tenant’s name', async () => {
    const id = await createOperation(app, operation({ tenantIds: [c[0], c[1], c[2]] }));
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    // A result a client wrote for a tenant the directory does not have.
    const stranger = await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) });
    expect(stranger.statusCode).toBe(201);
    const of = `${ENTITY_SET}/${id}/results`;

    const expanded = (await app.get(`${of}?$expand=tenant($select=displayName)&$top=10`)).json();
    const byTenant = new Map(
      expanded.value.map((result: Record<string, any>) => [result.targetTenantId, result.tenant]),
    );
    expect(byTenant.get(c[1])).toEqual(expect.objectContaining({ displayName: 'Customer 2' }));
    expect(Object.keys(byTenant.get(c[1]) as object).filter((key) => !key.startsWith('@'))).toEqual(
      ['id', 'displayName'],
    );
    expect(byTenant.get(stranger.json().targetTenantId)).toBeNull();

    const filtered = (await app.get(`${of}?$filter=tenant/displayName eq 'Customer 2'`)).json();
    expect(filtered.value.map((result: Record<string, any>) => result.targetTenantId)).toEqual([
      c[1],
    ]);

    // Sorted by name across pages (the tenant the directory lacks sorts first: no name).
    const seen: string[] = [];
    let url: string | undefined = `${of}?$orderby=tenant/displayName desc&$expand=tenant`;
    while (url) {
      const page: Record<string, any> = (
        await app.get(url, { prefer: 'odata.maxpagesize=2' })
      ).json();
      seen.push(
        ...page.value.map((result: Record<string, any>) => result.tenant?.displayName ?? '-'),
      );
      url = page['@odata.nextLink'] && `/beta/${page['@odata.nextLink']}`;
    }
    expect(seen).toEqual(['Customer 3', 'Customer 2', 'Customer 1', '-']);

    const refused = await app.get(`${of}?$expand=tenant($top=1)`);
    expect(refused.statusCode).toBe(400);
    const metadata = (await app.get('/beta/$metadata')).body;
    expect(metadata).toMatch(
      /<NavigationProperty Name="tenant" Type="microsoft.graph.managedTenants.tenant"/,
    );
  });

  it('refuses a group that is not the partner’s, on create and on change', async () => {
    const unknown = '11111111-2222-4333-8444-555555555555';
    const created = await app.post(operation({ tenantGroupIds: [unknown] }));
    expect(created.statusCode).toBe(400);
    expect(created.json().error.message).toContain(
      `target.tenantGroupIds names '${unknown}', which is no tenantGroup`,
    );
    const id = await createOperation(app, operation({ tenantIds: [c[0]] }));
    const patched = await app.patch(`${ENTITY_SET}/${id}`, {
      target: { tenantGroupIds: [unknown] },
    });
    expect(patched.statusCode).toBe(400);
  });

  it('fails the next run, naming the group, when a group it targets was deleted', async () => {
    const doomed = await group({ displayName: 'Doomed', tenantIds: [c[0]] });
    const id = await createOperation(app, operation({ tenantGroupIds: [doomed] }));
    expect((await app.delete(`${GROUPS}/${doomed}`)).statusCode).toBe(204);
    const run = (await runOperation(app, id, 30)).json();
    expect(run.status).toBe('failed');
    expect(run.result.exception).toContain(`target.tenantGroupIds names '${doomed}'`);
    expect((await app.get(`${ENTITY_SET}/${id}/runs/1`)).json().status).toBe('failed');
  });

  it('refuses to run when every tenant named is excluded', async () => {
    const id = await createOperation(
      app,
      operation({ tenantIds: [c[0]], excludedTenantIds: [c[0]] }),
    );
    const run = await runOperation(app, id);
    expect(run.statusCode).toBe(400);
    expect(run.json().error.message).toMatch(
      /Every tenant of target.tenantIds is in target.excludedTenantIds/,
    );
  });
});
