import { randomUUID } from 'node:crypto';
import { newOperation } from './support/operation-factory';
import { Client } from 'pg';
import { queryStored } from './support/stored-rows';
import { ON_POSTGRES } from './support/test-database';
import { newRecord, RESULTS } from './support/record-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

type Row = Record<string, any>;

/** Delta queries on the entity sets and on an operation's results. */
// Waits for deliveries, retries and expiries: more than Jest's default 5 s on a loaded machine.
jest.setTimeout(30_000);

describe('delta queries', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  /** A path from the service root, from a nextLink or deltaLink (relative to /beta/). */
  const fromLink = (link: string) =>
    link.startsWith('http') ? new URL(link).pathname + new URL(link).search : `/beta/${link}`;

  /** Follows nextLinks from `url` to the deltaLink: every page's items, and the deltaLink. */
  async function walk(
    url: string,
    pageSize: number,
    between?: (page: number) => Promise<void>,
  ): Promise<{ pages: Row[][]; deltaLink: string }> {
    const pages: Row[][] = [];
    for (let next = url; ;) {
      const response = await app.get(next, { prefer: `odata.maxpagesize=${pageSize}` });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body['@odata.context']).toMatch(/\/\$delta$/);
      pages.push(body.value);
      if (body['@odata.deltaLink']) {
        expect(body['@odata.nextLink']).toBeUndefined();
        return { pages, deltaLink: fromLink(body['@odata.deltaLink']) };
      }
      expect(body['@odata.nextLink']).toContain('$skiptoken=');
      next = fromLink(body['@odata.nextLink']);
      await between?.(pages.length);
    }
  }

  const createOperation = async (overrides: Record<string, unknown> = {}) => {
    const created = await app.post(newOperation(overrides));
    expect(created.statusCode).toBe(201);
    return created.json() as Row;
  };
  const rename = async (id: string, name: string) => {
    const patched = await app.patch(`${ENTITY_SET}/${id}`, { name });
    expect(patched.statusCode).toBe(200);
    return patched.json() as Row;
  };
  const remove = async (id: string) =>
    expect((await app.delete(`${ENTITY_SET}/${id}`)).statusCode).toBe(204);
  const everything = async (): Promise<Map<string, string>> => {
    const rows = new Map<string, string>();
    for (let next: string | undefined = `${ENTITY_SET}?$select=id,name`; next;) {
      const body: Row = (await app.get(next)).json();
      for (const row of body.value) rows.set(row.id, row.name);
      next = body['@odata.nextLink'] ? fromLink(body['@odata.nextLink']) : undefined;
    }
    return rows;
  };

  it('is declared as a bound function of every set, with Capabilities.ChangeTracking, and in OpenAPI', async () => {
    const xml = (await app.anonymous({ method: 'GET', url: '/beta/$metadata' })).body;
    const json = (
      await app.anonymous({ method: 'GET', url: '/beta/$metadata?$format=json' })
    ).json();
    const openApi = (await app.anonymous({ method: 'GET', url: '/docs-json' })).json();
    for (const type of [
      'microsoft.management.services.api.managedTenantOperation',
      'microsoft.graph.managedTenantOperationResult',
      'microsoft.graph.managedTenantOperationHttpRequest',
    ]) {
      expect(xml).toContain(
        `<Function Name="delta" IsBound="true">\n      <Parameter Name="bindingParameter" Type="Collection(${type})" Nullable="false"/>\n      <ReturnType Type="Collection(${type})"/>`,
      );
      expect(json['microsoft.graph'].delta).toContainEqual(
        expect.objectContaining({
          $Kind: 'Function',
          $IsBound: true,
          $Parameter: [{ $Name: 'bindingParameter', $Type: type, $Collection: true }],
          $ReturnType: { $Type: type, $Collection: true },
        }),
      );
    }
    const container = json['microsoft.graph'].GraphService;
    for (const set of [
      'managedTenantOperations',
      'managedTenantOperationResults',
      'managedTenantOperationHttpRequests',
      'tenants',
      'tenantGroups',
      'auditEvents',
    ]) {
      expect(container[set]['@Capabilities.ChangeTracking']).toEqual({
        Supported: true,
        FilterableProperties: [],
        ExpandableProperties: [],
      });
      for (const name of ['delta', 'microsoft.graph.delta']) {
        expect(openApi.paths[`/beta/${set}/${name}`]?.get?.responses).toHaveProperty('410');
      }
    }
    expect(xml.match(/Term="Capabilities.ChangeTracking"/g)).toHaveLength(6);
    expect(openApi.paths['/beta/managedTenantOperations/{id}/results/delta']?.get).toBeDefined();
  });

  describe('on a fresh tenant of its own', () => {
    it('pages through the current rows, then returns what changed since, deletions as @removed', async () => {
      const tenant = randomUUID();
      const user = randomUUID();
      const own = await app.token({ tenantId: tenant, userId: user });
      const headers = { authorization: `Bearer ${own}` };
      const ids: string[] = [];
      for (let index = 0; index < 7; index += 1) {
        const created = await app.post(
          newOperation({ partnerTenantId: tenant, partnerUserId: user, name: `op ${index}` }),
          headers,
        );
        ids.push(created.json().id);
      }
      const get = (url: string) =>
        app.get(url, { ...headers, prefer: 'odata.maxpagesize=3' }).then((r) => r.json());
      const first = await get(`${ENTITY_SET}/delta`);
      expect(first.value).toHaveLength(3);
      const second = await get(fromLink(first['@odata.nextLink']));
      const third = await get(fromLink(second['@odata.nextLink']));
      expect(third.value).toHaveLength(1);
      expect(third['@odata.deltaLink']).toContain('$deltatoken=');
      const seen = [...first.value, ...second.value, ...third.value].map((row: Row) => row.id);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen).toHaveLength(7);

      const quiet = await get(fromLink(third['@odata.deltaLink']));
      expect(quiet.value).toEqual([]);
      expect(quiet['@odata.deltaLink']).toContain('$deltatoken=');

      const added = await app.post(
        newOperation({ partnerTenantId: tenant, partnerUserId: user, name: 'added' }),
        headers,
      );
      await app.patch(`${ENTITY_SET}/${ids[0]}`, { name: 'renamed' }, headers);
      await app.delete(`${ENTITY_SET}/${ids[1]}`, headers);
      const changes = await get(fromLink(quiet['@odata.deltaLink']));
      const byId = new Map(changes.value.map((row: Row) => [row.id, row]));
      expect(byId.size).toBe(3);
      expect((byId.get(added.json().id) as Row).name).toBe('added');
      expect((byId.get(ids[0]) as Row).name).toBe('renamed');
      expect((byId.get(ids[0]) as Row)['@odata.etag']).toBeDefined();
      expect(byId.get(ids[1])).toEqual({ id: ids[1], '@removed': { reason: 'deleted' } });
      const after = await get(fromLink(changes['@odata.deltaLink']));
      expect(after.value).toEqual([]);
    });
  });

  it('misses no change and sends none twice in a round while writes go on between the calls', async () => {
    const tenant = randomUUID();
    const user = randomUUID();
    const headers = {
      authorization: `Bearer ${await app.token({ tenantId: tenant, userId: user })}`,
    };
    const create = async (name: string) =>
      (
        await app.post(
          newOperation({ partnerTenantId: tenant, partnerUserId: user, name }),
          headers,
        )
      ).json().id as string;
    const live: string[] = [];
    for (let index = 0; index < 12; index += 1) live.push(await create(`initial ${index}`));

    // A replica kept by delta alone, with writes between every page of every round.
    const replica = new Map<string, string>();
    let writes = 0;
    const writeSomething = async () => {
      writes += 1;
      const kind = writes % 3;
      if (kind === 0) live.push(await create(`created ${writes}`));
      else if (kind === 1) {
        const id = live[writes % live.length];
        await app.patch(`${ENTITY_SET}/${id}`, { name: `renamed ${writes}` }, headers);
      } else {
        const [id] = live.splice(writes % live.length, 1);
        await app.delete(`${ENTITY_SET}/${id}`, headers);
      }
    };
    let link = `${ENTITY_SET}/delta`;
    for (let round = 0; round < 4; round += 1) {
      const inRound = new Set<string>();
      for (let next: string | undefined = link; next;) {
        const body = (await app.get(next, { ...headers, prefer: 'odata.maxpagesize=2' })).json();
        for (const row of body.value as Row[]) {
          expect(inRound.has(row.id)).toBe(false);
          inRound.add(row.id);
          if (row['@removed']) replica.delete(row.id);
          else replica.set(row.id, row.name);
        }
        if (body['@odata.deltaLink']) {
          link = fromLink(body['@odata.deltaLink']);
          next = undefined;
        } else {
          next = fromLink(body['@odata.nextLink']);
          if (round < 3) for (let write = 0; write < 3; write += 1) await writeSomething();
        }
      }
      if (round < 3) for (let write = 0; write < 3; write += 1) await writeSomething();
    }
    // One more round after the last write: the replica is the tenant's current state.
    for (let next: string | undefined = link; next;) {
      const body: Row = (await app.get(next, headers)).json();
      for (const row of body.value as Row[]) {
        if (row['@removed']) replica.delete(row.id);
        else replica.set(row.id, row.name);
      }
      next = body['@odata.nextLink'] ? fromLink(body['@odata.nextLink']) : undefined;
    }
    expect(writes).toBeGreaterThan(20);
    const current = new Map<string, string>();
    for (let next: string | undefined = `${ENTITY_SET}?$select=id,name`; next;) {
      const body: Row = (await app.get(next, headers)).json();
      for (const row of body.value) current.set(row.id, row.name);
      next = body['@odata.nextLink'] ? fromLink(body['@odata.nextLink']) : undefined;
    }
    expect(replica).toEqual(current);
  });

  it('keeps the $select of the first call in every page and round', async () => {
    const { deltaLink } = await walk(`${ENTITY_SET}/delta?$select=name,status`, 50);
    const created = await createOperation({ name: 'selected' });
    const body = (await app.get(deltaLink)).json();
    const row = body.value.find((item: Row) => item.id === created.id);
    expect(
      Object.keys(row)
        .filter((key) => !key.startsWith('@'))
        .sort(),
    ).toEqual(['id', 'name', 'status']);
    expect(body['@odata.context']).toMatch(/managedTenantOperations\(name,status\)\/\$delta$/);
    const changed = await app.get(`${deltaLink}&$select=description`);
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error.message).toMatch(/\$select/);
  });

  it('$deltatoken=latest returns just a deltaLink, from which the next changes come', async () => {
    await createOperation();
    const latest = await app.get(`${ENTITY_SET}/delta?$deltatoken=latest`);
    expect(latest.statusCode).toBe(200);
    expect(latest.json().value).toEqual([]);
    const created = await createOperation({ name: 'after latest' });
    const changes = (await app.get(fromLink(latest.json()['@odata.deltaLink']))).json();
    expect(changes.value.map((row: Row) => row.id)).toEqual([created.id]);
  });

  it('answers on every spelling of the function', async () => {
    for (const path of ['delta', 'delta()', 'microsoft.graph.delta', 'microsoft.graph.delta()']) {
      const response = await app.get(`${ENTITY_SET}/${path}?$deltatoken=latest`);
      expect(response.statusCode).toBe(200);
      expect(response.json()['@odata.deltaLink']).toContain('$deltatoken=');
    }
  });

  it('refuses options it does not serve, tampered tokens and tokens of another query or tenant', async () => {
    const filtered = await app.get(`${ENTITY_SET}/delta?$filter=status eq 'x'`);
    expect(filtered.statusCode).toBe(400);
    expect(filtered.json().error.message).toContain('$filter');
    const { deltaLink } = await walk(`${ENTITY_SET}/delta`, 999);
    const token = new URL(deltaLink, 'http://x').searchParams.get('$deltatoken')!;
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), to: '0' }),
    ).toString('base64url');
    for (const url of [
      `${ENTITY_SET}/delta?$deltatoken=${forged}.${signature}`,
      `${ENTITY_SET}/delta?$deltatoken=nonsense`,
      `${RESULTS}/delta?$deltatoken=${token}`,
    ]) {
      const response = await app.get(url);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalidRequest');
    }
    const otherTenant = await app.token({ tenantId: randomUUID() });
    const stolen = await app.get(deltaLink, { authorization: `Bearer ${otherTenant}` });
    expect(stolen.statusCode).toBe(400);
  });

  it('shows a tenant only its own changes', async () => {
    const { deltaLink } = await walk(`${ENTITY_SET}/delta`, 999);
    const tenant = randomUUID();
    const user = randomUUID();
    const foreign = await app.post(newOperation({ partnerTenantId: tenant, partnerUserId: user }), {
      authorization: `Bearer ${await app.token({ tenantId: tenant, userId: user })}`,
    });
    expect(foreign.statusCode).toBe(201);
    const own = await createOperation();
    const body = (await app.get(deltaLink)).json();
    expect(body.value.map((row: Row) => row.id)).toEqual([own.id]);
  });

  it("tracks an operation's results, and the results removed with their operation", async () => {
    const operation = await createOperation();
    const other = await createOperation();
    const addResult = async (operationId: string) =>
      (await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(operationId) })).json()
        .id as string;
    const first = await addResult(operation.id);
    await addResult(other.id);
    const navigation = `${ENTITY_SET}/${operation.id}/results/delta`;
    const initial = await walk(navigation, 50);
    expect(initial.pages.flat().map((row) => row.id)).toEqual([first]);
    expect(initial.deltaLink).toContain(`managedTenantOperations('${operation.id}')/results/delta`);
    const second = await addResult(operation.id);
    await addResult(other.id);
    const changes = (await app.get(initial.deltaLink)).json();
    expect(changes.value.map((row: Row) => row.id)).toEqual([second]);

    const { deltaLink } = await walk(`${RESULTS}/delta`, 999);
    await remove(operation.id);
    const removed = (await app.get(deltaLink)).json();
    expect(removed.value).toEqual(
      expect.arrayContaining([
        { id: first, '@removed': { reason: 'deleted' } },
        { id: second, '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(removed.value).toHaveLength(2);
    expect((await app.get(initial.deltaLink)).statusCode).toBe(404);
  });

  it('walks every current row of a large set across many pages', async () => {
    const before = await everything();
    for (let index = 0; index < 30; index += 1) await createOperation({ name: `bulk ${index}` });
    const renamed = await rename(
      [...before.keys()][0] ?? (await createOperation()).id,
      'bulk renamed',
    );
    const { pages } = await walk(`${ENTITY_SET}/delta`, 7);
    expect(pages.length).toBeGreaterThan(4);
    const rows = pages.flat();
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    const current = await everything();
    expect(new Map(rows.map((row) => [row.id, row.name]))).toEqual(current);
    expect(current.get(renamed.id)).toBe('bulk renamed');
  });
});

// SQLite has one writer, so commit order is sequence order there; PostgreSQL's instances commit
// in any order, which only a snapshot of transaction ids, not a sequence number, follows.
const onPostgres = ON_POSTGRES ? describe : describe.skip;
onPostgres('delta on PostgreSQL (TEST_DATABASE_URL)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  it('reports a change whose transaction commits after a later one was already reported', async () => {
    const slow = (await app.post(newOperation({ name: 'slow' }))).json();
    const fast = (await app.post(newOperation({ name: 'fast' }))).json();
    const first = (await app.get(`${ENTITY_SET}/delta?$deltatoken=latest`)).json();
    const { DATABASE_URL: url, DATABASE_SCHEMA: schema } = app.databaseEnv;
    const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query('BEGIN');
      // Written first (a lower sequence number), committed last.
      await client.query(`UPDATE "managed_tenant_operations" SET "name" = 'late' WHERE "id" = $1`, [
        slow.id,
      ]);
      expect((await app.patch(`${ENTITY_SET}/${fast.id}`, { name: 'early' })).statusCode).toBe(200);
      const round = (await app.get(`/beta/${first['@odata.deltaLink']}`)).json();
      expect(round.value.map((row: Row) => row.name)).toEqual(['early']);
      await client.query('COMMIT');
      const next = (await app.get(`/beta/${round['@odata.deltaLink']}`)).json();
      expect(next.value.map((row: Row) => [row.id, row.name])).toEqual([[slow.id, 'late']]);
    } finally {
      await client.end();
    }
  });
});

describe('delta tokens past the retention period', () => {
  let app: TestApp;
  beforeAll(async () => {
    // About 1.7 seconds.
    app = await TestApp.start({ DELTA_RETENTION_DAYS: '0.00002' });
  });
  afterAll(() => app.dispose());

  it('are 410 syncStateNotFound, with a message to start over', async () => {
    const first = (await app.get(`${ENTITY_SET}/delta`)).json();
    const link = first['@odata.deltaLink'] as string;
    expect((await app.get(`/beta/${link}`)).statusCode).toBe(200);
    await new Promise((done) => setTimeout(done, 2_000));
    const expired = await app.get(`/beta/${link}`);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('syncStateNotFound');
    expect(expired.json().error.message).toMatch(/start over/i);
  });

  it('forgets tombstones after the retention period', async () => {
    const created = (await app.post(newOperation())).json();
    expect((await app.delete(`${ENTITY_SET}/${created.id}`)).statusCode).toBe(204);
    const changesOf = () =>
      queryStored(
        app,
        'SELECT "changeType" FROM "entity_changes" WHERE "entityId" = ? ORDER BY "seq"',
        [created.id],
      );
    expect((await changesOf()).map((row) => row.changeType)).toEqual(['created', 'deleted']);
    const deadline = Date.now() + 15_000;
    while ((await changesOf()).length > 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(await changesOf()).toEqual([]);
  });
});
