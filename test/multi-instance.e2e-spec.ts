import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/app-config';
import { newOperation } from './support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { tokenFor } from './support/test-app';
import { describeOnPostgres, dropPostgresSchema, freshPostgresEnv } from './support/test-database';

const ENTITY_SET = '/beta/managedTenantOperations';

/**
 * Two service processes on one PostgreSQL database, as behind a load balancer: nothing that must
 * hold across requests may depend on which instance serves them.
 */
describeOnPostgres('two instances on one PostgreSQL database', () => {
  jest.setTimeout(120_000);

  let env: NodeJS.ProcessEnv;
  let instances: Array<{ url: string; process: ServiceProcess }> = [];
  let token: string;

  beforeAll(async () => {
    env = await freshPostgresEnv();
    // Started at once: their migrations queue on an advisory lock; only the first applies them.
    instances = await Promise.all(
      [0, 1].map(async () => {
        const port = await freePort();
        const process = await startServiceProcess({ ...env, PORT: String(port) });
        return { url: `http://127.0.0.1:${port}`, process };
      }),
    );
    token = await tokenFor(loadConfig(env), {});
  });

  afterAll(async () => {
    for (const { process } of instances) {
      process.child.kill('SIGTERM');
      await process.exited;
    }
    await dropPostgresSchema(env);
  });

  /** The i-th request goes to instance i mod 2. */
  function send(i: number, method: string, path: string, body?: unknown, headers = {}) {
    return fetch(`${instances[i % 2].url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it('makes every acknowledged create readable from both instances', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(i, 'POST', ENTITY_SET, newOperation())),
    );
    const ids: string[] = [];
    for (const response of responses) {
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    expect(new Set(ids).size).toBe(40);
    for (const id of ids) {
      for (const i of [0, 1])
        expect((await send(i, 'GET', `${ENTITY_SET}/${id}`)).status).toBe(200);
    }
  });

  it('creates exactly one entity per requestId when duplicate POSTs arrive at both instances at once', async () => {
    const requestIds = Array.from({ length: 8 }, () => randomUUID());
    const bodies = requestIds.map((requestId) => newOperation({ requestId }));
    const responses = await Promise.all(
      bodies.flatMap((body, b) =>
        Array.from({ length: 6 }, (_, i) => send(b + i, 'POST', ENTITY_SET, body)),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
    expect(statuses.filter((status) => status === 201)).toHaveLength(requestIds.length);
    for (const [b, requestId] of requestIds.entries()) {
      const ids = new Set<string>();
      for (const response of responses.slice(b * 6, b * 6 + 6)) {
        ids.add(((await response.json()) as { id: string }).id);
      }
      expect(ids.size).toBe(1);
      for (const i of [0, 1]) {
        const found = (await (
          await send(i, 'GET', `${ENTITY_SET}?$filter=requestId eq ${requestId}&$count=true`)
        ).json()) as { '@odata.count': number; value: Array<{ id: string }> };
        expect(found['@odata.count']).toBe(1);
        expect(found.value[0].id).toBe([...ids][0]);
      }
    }
  });

  it('lets exactly one of many PATCHes with the same If-Match win, whichever instance serves them', async () => {
    const created = await send(0, 'POST', ENTITY_SET, newOperation());
    const { id } = (await created.json()) as { id: string };
    const etag = created.headers.get('etag')!;
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(i, 'PATCH', `${ENTITY_SET}/${id}`, { status: `writer-${i}` }, { 'if-match': etag }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(11);
    const winner = statuses.indexOf(200);
    for (const i of [0, 1]) {
      const current = (await (await send(i, 'GET', `${ENTITY_SET}/${id}`)).json()) as {
        status: string;
      };
      expect(current.status).toBe(`writer-${winner}`);
    }
  });
});
