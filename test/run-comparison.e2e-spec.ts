import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import {
  createOperation,
  engineEnv,
  runnableOperation,
  runOperation,
  startSimulator,
} from './support/engine';
import { ENTITY_SET, TestApp } from './support/test-app';

type Difference = Record<string, any>;

/** `compareRuns` end to end, against the Graph stand-in whose directories change between runs. */
describe('comparing two runs (compareRuns)', () => {
  let simulator: RunningSimulator;
  let app: TestApp;
  let a: string;
  let b: string;
  let c: string;
  let id: string;

  const compare = (call: string, query = '', headers: Record<string, string> = {}) =>
    app.get(`${ENTITY_SET}('${id}')/${call}${query}`, headers);
  const summary = (differences: Difference[]) =>
    differences
      .map((d) => {
        const tenant = d.targetTenantId === a ? 'a' : d.targetTenantId === b ? 'b' : 'c';
        const name = JSON.parse(d.row ?? d.baseRow ?? 'null')?.displayName ?? '';
        return `${tenant} ${d.changeType}${name ? ` ${name}` : ''}`;
      })
      .sort();

  beforeAll(async () => {
    simulator = await startSimulator({ tenants: 3, usersPerTenant: 3 });
    [a, b, c] = simulator.customerTenantIds;
    app = await TestApp.start(engineEnv(simulator));
    id = await createOperation(
      app,
      runnableOperation('GET /v1.0/users?$select=id,displayName', [a, b]),
    );
    // Run 1: both succeed. Then a's directory changes and b refuses: run 2 (a full run).
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const directory = simulator.directoryOf(a);
    directory.renamedUsers.set(0, 'Renamed');
    directory.removedUsers.add(1);
    directory.addedUsers = 1;
    simulator.faultsOf(b).forbidden = true;
    expect((await runOperation(app, id, 30)).json().status).toBe('failed');
  });
  afterAll(async () => {
    await app?.dispose();
    await simulator?.close();
  });

  it('by default compares the previous finished run with the latest: rows by id, and outcomes', async () => {
    const response = await compare('compareRuns()');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body['@odata.context']).toMatch(
      /\/\$metadata#Collection\(microsoft\.graph\.managedTenantOperationRunDifference\)$/,
    );
    expect(summary(body.value)).toEqual([
      'a added User 4 of tenant 1',
      'a changed Renamed',
      'a removed User 2 of tenant 1',
      'b outcomeChanged',
    ]);
    const changed = body.value.find((d: Difference) => d.changeType === 'changed');
    expect(changed).toMatchObject({ targetTenantId: a, isSuccess: true, baseIsSuccess: true });
    expect(changed.rowKey).toBe(JSON.parse(changed.row).id);
    expect(JSON.parse(changed.baseRow).displayName).toBe('User 1 of tenant 1');
    expect(body.value.find((d: Difference) => d.changeType === 'outcomeChanged')).toEqual({
      targetTenantId: b,
      // Not in the partner's directory of tenants (never refreshed here).
      tenantDisplayName: null,
      changeType: 'outcomeChanged',
      rowKey: null,
      row: null,
      baseRow: null,
      isSuccess: false,
      baseIsSuccess: true,
    });
    // The same by name, qualified, and with the parameters given.
    for (const call of [
      'microsoft.graph.compareRuns(baseRunNumber=1,runNumber=2)',
      'compareRuns(runNumber=2)',
    ]) {
      expect(summary((await compare(call)).json().value)).toEqual(summary(body.value));
    }
  });

  it('compares a run of the tenants that had not succeeded as the whole it completes', async () => {
    simulator.faultsOf(b).forbidden = false;
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const runs = (await app.get(`${ENTITY_SET}/${id}/runs?$select=runNumber,tenantScope`)).json();
    expect(runs.value[0]).toMatchObject({ runNumber: 3, tenantScope: 'notSucceeded' });
    // As of run 3, a is as run 2 left it and b as run 3 did: from run 1, a's rows changed only.
    expect(
      summary((await compare('compareRuns(baseRunNumber=1,runNumber=3)')).json().value),
    ).toEqual(['a added User 4 of tenant 1', 'a changed Renamed', 'a removed User 2 of tenant 1']);
    expect(
      summary((await compare('compareRuns(baseRunNumber=2,runNumber=3)')).json().value),
    ).toEqual(['b outcomeChanged']);
  });

  it('says which tenants a run added and removed', async () => {
    expect(
      (await app.patch(`${ENTITY_SET}/${id}`, { target: { tenantIds: [a, c] } })).statusCode,
    ).toBe(200);
    expect((await runOperation(app, id, 30)).json().status).toBe('succeeded');
    const value = (await compare('compareRuns(baseRunNumber=3,runNumber=4)')).json().value;
    expect(summary(value)).toEqual(['b tenantRemoved', 'c tenantAdded']);
    expect(value.find((d: Difference) => d.changeType === 'tenantAdded')).toMatchObject({
      targetTenantId: c,
      isSuccess: true,
      baseIsSuccess: null,
    });
  });

  it('pages with nextLink, counts, filters on changeType and targetTenantId, and takes $top', async () => {
    const all = (await compare('compareRuns(baseRunNumber=1,runNumber=2)')).json().value;
    const pages: Difference[] = [];
    let url: string | undefined =
      `${ENTITY_SET}('${id}')/compareRuns(baseRunNumber=1,runNumber=2)?$count=true`;
    let first = true;
    while (url) {
      const page = await app.get(url, { prefer: 'odata.maxpagesize=1' });
      expect(page.statusCode).toBe(200);
      if (first) expect(page.json()['@odata.count']).toBe(4);
      first = false;
      expect(page.json().value.length).toBeLessThanOrEqual(1);
      pages.push(...page.json().value);
      const next: string | undefined = page.json()['@odata.nextLink'];
      url = next === undefined ? undefined : `/beta/${next}`;
    }
    expect(pages).toEqual(all);

    const changed = await compare(
      'compareRuns(baseRunNumber=1,runNumber=2)',
      `?$filter=changeType in ('changed','removed') and targetTenantId eq ${a}&$count=true`,
    );
    expect(changed.json()['@odata.count']).toBe(2);
    expect(summary(changed.json().value)).toEqual([
      'a changed Renamed',
      'a removed User 2 of tenant 1',
    ]);
    const notA = await compare(
      'compareRuns(baseRunNumber=1,runNumber=2)',
      `?$filter=not (targetTenantId eq ${a})`,
    );
    expect(summary(notA.json().value)).toEqual(['b outcomeChanged']);

    const top = await compare('compareRuns(baseRunNumber=1,runNumber=2)', '?$top=3', {
      prefer: 'odata.maxpagesize=2',
    });
    expect(top.json().value).toHaveLength(2);
    const rest = await app.get(`/beta/${top.json()['@odata.nextLink']}`);
    expect(rest.json().value).toHaveLength(1);
    expect(rest.json()['@odata.nextLink']).toBeUndefined();
  });

  it('answers as a CSV or NDJSON file with every difference (no paging), $filter applied', async () => {
    const all = (await compare('compareRuns(baseRunNumber=1,runNumber=2)')).json()
      .value as Difference[];
    const csv = await compare('compareRuns(baseRunNumber=1,runNumber=2)', '', {
      accept: 'text/csv',
      prefer: 'odata.maxpagesize=1',
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers['content-disposition']).toMatch(/filename="compareRuns-1-to-2\.csv"/);
    const lines = csv.body.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'targetTenantId,tenantDisplayName,changeType,rowKey,row,baseRow,isSuccess,baseIsSuccess',
    );
    // A row's JSON holds commas and quotes: count the records by their tenant id at the start.
    expect(lines.filter((line) => /^[0-9a-f]{8}-/.test(line))).toHaveLength(all.length);
    const ndjson = await compare(
      'compareRuns(baseRunNumber=1,runNumber=2)',
      "?$format=ndjson&$filter=changeType eq 'outcomeChanged'",
    );
    const parsed = ndjson.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Difference);
    expect(parsed.map((d) => d.changeType)).toEqual(
      all.filter((d) => d.changeType === 'outcomeChanged').map(() => 'outcomeChanged'),
    );
    expect(parsed.length).toBeGreaterThan(0);
  });

  it('matches rows without an id by their whole content: added and removed only', async () => {
    const byContent = await createOperation(
      app,
      runnableOperation('GET /v1.0/users?$select=displayName', [c]),
    );
    expect((await runOperation(app, byContent, 30)).json().status).toBe('succeeded');
    simulator.directoryOf(c).renamedUsers.set(2, 'Someone else');
    expect((await runOperation(app, byContent, 30)).json().status).toBe('succeeded');
    const value = (await app.get(`${ENTITY_SET}/${byContent}/compareRuns`)).json().value;
    expect(summary(value)).toEqual(['c added Someone else', 'c removed User 3 of tenant 3']);
    expect(value.every((d: Difference) => d.rowKey === null)).toBe(true);
  });

  it('answers 404 for a run that is not there and 400 for what it cannot compare or filter', async () => {
    const missing = await compare('compareRuns(baseRunNumber=1,runNumber=99)');
    expect(missing.statusCode).toBe(404);
    for (const [call, query, message] of [
      ['compareRuns(firstRun=1)', '', /baseRunNumber and runNumber/],
      ['compareRuns(runNumber=two)', '', /run number/],
      ['compareRuns', '?$filter=isSuccess eq true', /targetTenantId and changeType only/],
      ['compareRuns', "?$filter=changeType eq 'moved'", /'moved' is not a changeType/],
      ['compareRuns', '?$orderby=changeType', /\$orderby is not supported/],
    ] as const) {
      const response = await compare(call, query);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
    const fresh = await createOperation(app, runnableOperation('GET /v1.0/organization', [a]));
    const none = await app.get(`${ENTITY_SET}/${fresh}/compareRuns`);
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/no two finished runs/);
  });

  it('is in $metadata as a bound function with its parameters and return type', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toContain('<Function Name="compareRuns" IsBound="true">');
    expect(xml).toMatch(
      /<Function Name="compareRuns" IsBound="true">\s*<Parameter Name="bindingParameter" Type="microsoft\.management\.services\.api\.managedTenantOperation" Nullable="false"\/>\s*<Parameter Name="baseRunNumber" Type="Edm\.Int32" Nullable="true"\/>\s*<Parameter Name="runNumber" Type="Edm\.Int32" Nullable="true"\/>\s*<ReturnType Type="Collection\(microsoft\.graph\.managedTenantOperationRunDifference\)"\/>/,
    );
    expect(xml).toContain('<ComplexType Name="managedTenantOperationRunDifference">');
    expect(xml).toContain('<EnumType Name="managedTenantOperationRunDifferenceType">');
    const openApi = (await app.inject({ method: 'GET', url: '/docs-json' })).json();
    expect(Object.keys(openApi.paths)).toContain(
      '/beta/managedTenantOperations/{id}/compareRuns/{parameters}',
    );
  });
});
