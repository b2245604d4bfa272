import { randomUUID } from 'node:crypto';
import { SqlExecutor } from '../src/database/sql-executor';
import { MAX_EXPANDED_ITEMS } from '../src/odata/query/expand';
import { newOperation } from './support/operation-factory';
import { HTTP_REQUESTS, newRecord, RESULTS } from './support/record-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

/** Navigations of an operation, $expand and lambdas over them. */
describe('the navigations results and httpRequests', () => {
  let app: TestApp;
  let operation: { id: string };
  let other: { id: string };
  const results: Array<Record<string, any>> = [];

  const addResult = async (operationId: string, overrides: Record<string, unknown> = {}) => {
    const created = await app.inject({
      method: 'POST',
      url: RESULTS,
      payload: newRecord(operationId, overrides),
    });
    expect(created.statusCode).toBe(201);
    return created.json();
  };

  beforeAll(async () => {
    app = await TestApp.start();
    operation = (await app.post(newOperation({ name: 'with results' }))).json();
    other = (await app.post(newOperation({ name: 'all fine' }))).json();
    for (let index = 0; index < 6; index += 1) {
      results.push(await addResult(operation.id, { isSuccess: index % 3 !== 0, note: index }));
    }
    await addResult(other.id, { isSuccess: true });
    await app.inject({
      method: 'POST',
      url: HTTP_REQUESTS,
      payload: newRecord(operation.id, { statusCode: 200, attempt: 1 }),
    });
  });
  afterAll(() => app.dispose());

  it('lists an operation’s results with query options, paging and $count, by either key syntax', async () => {
    for (const base of [
      `${ENTITY_SET}/${operation.id}/results`,
      `${ENTITY_SET}('${operation.id}')/results`,
    ]) {
      const all = await app.get(`${base}?$count=true`);
      expect(all.statusCode).toBe(200);
      expect(all.json()['@odata.context']).toMatch(/\$metadata#managedTenantOperationResults$/);
      expect(all.json()['@odata.count']).toBe(6);
      expect(new Set(all.json().value.map((row: any) => row.id))).toEqual(
        new Set(results.map((row) => row.id)),
      );
    }
    const failed = await app.get(
      `${ENTITY_SET}/${operation.id}/results?$filter=isSuccess eq false&$select=isSuccess,note&$orderby=note`,
    );
    expect(failed.json().value.map((row: any) => [row.note, row.isSuccess])).toEqual([
      [0, false],
      [3, false],
    ]);
    const page = await app.get(`${ENTITY_SET}/${operation.id}/results?$top=5`, {
      prefer: 'odata.maxpagesize=3',
    });
    const nextLink = page.json()['@odata.nextLink'];
    expect(nextLink).toMatch(
      new RegExp(`^managedTenantOperations\\('${operation.id}'\\)/results\\?`),
    );
    const rest = await app.get(`/beta/${nextLink}`, { prefer: 'odata.maxpagesize=3' });
    expect(rest.json().value).toHaveLength(2);
    expect(rest.json()['@odata.nextLink']).toBeUndefined();
    const count = await app.get(`${ENTITY_SET}/${operation.id}/results/$count?$filter=isSuccess`);
    expect(count.body).toBe('4');
    const requests = await app.get(`${ENTITY_SET}/${operation.id}/httpRequests`);
    expect(requests.json().value).toHaveLength(1);
  });

  it('reads one result through the navigation, but not one of another operation', async () => {
    const [first] = results;
    const viaNavigation = await app.get(`${ENTITY_SET}('${operation.id}')/results('${first.id}')`);
    expect(viaNavigation.statusCode).toBe(200);
    expect(viaNavigation.json()).toEqual((await app.get(`${RESULTS}/${first.id}`)).json());
    const elsewhere = await app.get(`${ENTITY_SET}/${other.id}/results/${first.id}`);
    expect(elsewhere.statusCode).toBe(404);
  });

  it('answers 404 for an operation that is missing or another tenant’s', async () => {
    const missing = await app.get(`${ENTITY_SET}/${randomUUID()}/results`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('itemNotFound');
    const stranger = `Bearer ${await app.token({ tenantId: randomUUID(), userId: randomUUID() })}`;
    const theirs = await app.get(`${ENTITY_SET}/${operation.id}/results`, {
      authorization: stranger,
    });
    expect(theirs.statusCode).toBe(404);
  });

  it('creates through the navigation with the operation id implied, and refuses another one', async () => {
    const body = newRecord(operation.id);
    delete body.managedTenantOperationId;
    const created = await app.inject({
      method: 'POST',
      url: `${ENTITY_SET}/${other.id}/httpRequests`,
      payload: { ...body, statusCode: 201 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().managedTenantOperationId).toBe(other.id);
    expect(created.headers.location).toContain(`managedTenantOperationHttpRequests('`);
    const contradicting = await app.inject({
      method: 'POST',
      url: `${ENTITY_SET}/${other.id}/results`,
      payload: newRecord(operation.id),
    });
    expect(contradicting.statusCode).toBe(400);
    expect(contradicting.json().error.message).toContain('managedTenantOperationId');
    const nowhere = await app.inject({
      method: 'POST',
      url: `${ENTITY_SET}/${randomUUID()}/results`,
      payload: body,
    });
    expect(nowhere.statusCode).toBe(404);
  });

  it('expands results on one operation and on a collection, with nested options', async () => {
    const single = await app.get(`${ENTITY_SET}/${operation.id}?$expand=results,httpRequests`);
    expect(single.statusCode).toBe(200);
    expect(single.json()['@odata.context']).toMatch(
      /\$metadata#managedTenantOperations\(results\(\),httpRequests\(\)\)\/\$entity$/,
    );
    expect(single.json().results).toHaveLength(6);
    expect(single.json().httpRequests).toHaveLength(1);

    const nested = encodeURIComponent(
      'results($filter=isSuccess eq false;$top=1;$count=true;$select=isSuccess;$orderby=note desc)',
    );
    const page = await app.get(`${ENTITY_SET}?$expand=${nested}&$select=name&$orderby=name`);
    expect(page.statusCode).toBe(200);
    expect(page.json()['@odata.context']).toMatch(
      /managedTenantOperations\(name,results\(isSuccess\)\)$/,
    );
    const byName = Object.fromEntries(page.json().value.map((row: any) => [row.name, row]));
    expect(byName['with results']['results@odata.count']).toBe(2);
    expect(byName['with results'].results).toEqual([
      expect.objectContaining({ id: results[3].id, isSuccess: false }),
    ]);
    expect(Object.keys(byName['with results'].results[0]).sort()).toEqual([
      '@odata.etag',
      '@odata.type',
      'id',
      'isSuccess',
    ]);
    expect(byName['all fine']['results@odata.count']).toBe(0);
    expect(byName['all fine'].results).toEqual([]);
  });

  it('refuses what $expand does not serve, naming it', async () => {
    for (const [expand, message] of [
      ['result', 'not a navigation property'],
      ['*', "'*' is not supported"],
      ['results($expand=managedTenantOperation)', 'one level deep'],
      ['results($levels=2)', 'one level deep'],
      ['results($top=101)', 'maximum of 100'],
      ['results($filter=result eq 1)', "'result' is a collection"],
      ['results,results', 'more than once'],
      ['results(', 'not closed'],
    ]) {
      const response = await app.get(`${ENTITY_SET}?$expand=${encodeURIComponent(expand)}`);
      expect({ expand, status: response.statusCode }).toEqual({ expand, status: 400 });
      expect(response.json().error.message).toContain(message);
    }
    const onResults = await app.get(`${RESULTS}?$expand=managedTenantOperation`);
    expect(onResults.statusCode).toBe(400);
  });

  it('filters operations over a navigation with any and all, translated to EXISTS', async () => {
    const anyFailed = await app.get(
      `${ENTITY_SET}?$filter=${encodeURIComponent('results/any(r: r/isSuccess eq false)')}&$select=name`,
    );
    expect(anyFailed.statusCode).toBe(200);
    expect(anyFailed.json().value.map((row: any) => row.name)).toEqual(['with results']);
    const allFine = await app.get(
      `${ENTITY_SET}?$filter=${encodeURIComponent('results/any() and results/all(r: r/isSuccess)')}&$select=name`,
    );
    expect(allFine.json().value.map((row: any) => row.name)).toEqual(['all fine']);
    const viaRequests = await app.get(
      `${ENTITY_SET}/$count?$filter=${encodeURIComponent('httpRequests/any(h: h/statusCode eq 200)')}`,
    );
    expect(viaRequests.body).toBe('1');
    const wrong = await app.get(
      `${ENTITY_SET}?$filter=${encodeURIComponent("results/any(r: r/result eq 'x')")}`,
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toContain("'r/result' is a collection");
  });

  it("keeps lambdas over a navigation within the caller's tenant", async () => {
    const tenant = randomUUID();
    const user = randomUUID();
    const stranger = `Bearer ${await app.token({ tenantId: tenant, userId: user })}`;
    const theirs = await app.post(newOperation({ partnerTenantId: tenant, partnerUserId: user }), {
      authorization: stranger,
    });
    const count = await app.get(
      `${ENTITY_SET}/$count?$filter=${encodeURIComponent('results/any(r: r/isSuccess eq false)')}`,
      { authorization: stranger },
    );
    expect(theirs.statusCode).toBe(201);
    expect(count.body).toBe('0');
  });
});

describe('$expand on a page', () => {
  it('costs one query per navigation, whatever the number of operations on the page', async () => {
    const app = await TestApp.start();
    try {
      // Every statement of the stores runs on the storage executor: its reads are watched.
      const queriesFor = async (url: string): Promise<string[]> => {
        const db = app.app.get(SqlExecutor);
        const seen: string[] = [];
        const reads = ['all', 'get', 'arrays'] as const;
        for (const read of reads) {
          const original = db[read].bind(db) as (...args: unknown[]) => unknown;
          db[read] = ((sql: string, parameters?: readonly unknown[]) => {
            seen.push(sql);
            return original(sql, parameters);
          }) as never;
        }
        try {
          const response = await app.get(url);
          expect(response.statusCode).toBe(200);
        } finally {
          for (const read of reads) delete (db as unknown as Record<string, unknown>)[read];
        }
        return seen.filter((query) =>
          /managed_tenant_operation_(results|http_requests)/.test(query),
        );
      };
      const addOperationWithResults = async () => {
        const id = (await app.post(newOperation())).json().id;
        for (let index = 0; index < 2; index += 1) {
          await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) });
        }
      };
      await addOperationWithResults();
      const url = `${ENTITY_SET}?$expand=results($top=5),httpRequests&$top=20`;
      const withOne = await queriesFor(url);
      for (let index = 0; index < 9; index += 1) await addOperationWithResults();
      const withTen = await queriesFor(url);
      expect(withOne).toHaveLength(2);
      expect(withTen).toHaveLength(2);
    } finally {
      await app.dispose();
    }
  });

  it(`holds at most ${MAX_EXPANDED_ITEMS} items, with a nextLink to the rest`, async () => {
    const app = await TestApp.start();
    try {
      const id = (await app.post(newOperation())).json().id;
      for (let index = 0; index < MAX_EXPANDED_ITEMS + 2; index += 1) {
        await app.inject({ method: 'POST', url: RESULTS, payload: newRecord(id) });
      }
      const expanded = (await app.get(`${ENTITY_SET}/${id}?$expand=results($count=true)`)).json();
      expect(expanded.results).toHaveLength(MAX_EXPANDED_ITEMS);
      expect(expanded['results@odata.count']).toBe(MAX_EXPANDED_ITEMS + 2);
      const rest = await app.get(`/beta/${expanded['results@odata.nextLink']}`);
      expect(rest.statusCode).toBe(200);
      const ids = new Set([...expanded.results, ...rest.json().value].map((row: any) => row.id));
      expect(ids.size).toBe(MAX_EXPANDED_ITEMS + 2);
      const capped = (await app.get(`${ENTITY_SET}/${id}?$expand=results($top=3)`)).json();
      expect(capped.results).toHaveLength(3);
      expect(capped['results@odata.nextLink']).toBeUndefined();
    } finally {
      await app.dispose();
    }
  });
});

describe('a navigation name', () => {
  it('is no dynamic property: not in $filter or $orderby but through any/all, and not in a body', async () => {
    const app = await TestApp.start();
    try {
      const filter = await app.get(`${ENTITY_SET}?$filter=results eq null`);
      expect(filter.statusCode).toBe(400);
      expect(filter.json().error.message).toContain('use results/any(…) or results/all(…)');
      const order = await app.get(`${ENTITY_SET}?$orderby=httpRequests`);
      expect(order.statusCode).toBe(400);
      expect(order.json().error.message).toContain("'httpRequests' is a navigation property");
      const selected = await app.get(`${ENTITY_SET}?$select=results`);
      expect(selected.statusCode).toBe(200);
      const body = await app.post(newOperation({ results: [newRecord(randomUUID())] }));
      expect(body.statusCode).toBe(400);
      expect(body.json().error.message).toContain("'results' is a navigation property");
      const id = (await app.post(newOperation())).json().id;
      const patched = await app.patch(`${ENTITY_SET}/${id}`, { httpRequests: [] });
      expect(patched.statusCode).toBe(400);
      const onResult = await app.inject({
        method: 'POST',
        url: RESULTS,
        payload: newRecord(id, { managedTenantOperation: { id } }),
      });
      expect(onResult.statusCode).toBe(400);
    } finally {
      await app.dispose();
    }
  });
});
