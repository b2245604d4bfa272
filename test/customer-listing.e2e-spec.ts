import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createOperation, finished, runOperation, runnableOperation } from './support/engine';
import { describeOnPostgres } from './support/test-database';
import { TestApp } from './support/test-app';

// Waits for a listing held up on purpose: more than Jest's default 5 s on a loaded machine.
jest.setTimeout(30_000);

const PAGES = 3;
const PER_PAGE = 3;
const customerOf = (page: number, index: number) =>
  `00000000-0000-4000-8000-${String(page * 100 + index).padStart(12, '0')}`;

/**
 * A run of every customer lists the partner's contracts a page at a time and writes them in
 * batches of a few thousand customers while it asks for the next pages (how many pages wait at
 * most is a unit test's, on SQLite). On PostgreSQL, where another session's lock holds a write up
 * without holding up the service's event loop.
 */
describeOnPostgres("listing a partner's customers", () => {
  let server: ReturnType<typeof createServer>;
  let origin: string;
  let app: TestApp;
  /** When each page of /contracts was asked for; the first page waits for `release`. */
  const asked: Array<() => void> = [];
  const pageAsked = Array.from(
    { length: PAGES },
    (_, page) => new Promise<void>((done) => (asked[page] = done)),
  );
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void (async () => {
        const url = new URL(request.url!, origin);
        const json = (body: unknown) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (url.pathname !== '/v1.0/contracts') return json({ value: [{ id: 'organization' }] });
        const page = Number(url.searchParams.get('$skiptoken') ?? 0);
        asked[page]();
        if (page === 0) await released;
        json({
          value: Array.from({ length: PER_PAGE }, (_, index) => ({
            customerId: customerOf(page, index),
          })),
          ...(page + 1 < PAGES
            ? { '@odata.nextLink': `${origin}/v1.0/contracts?$skiptoken=${page + 1}` }
            : {}),
        });
      })();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Without a client id, the dapAccessToken is the token of every call: no token endpoint.
    app = await TestApp.start({
      GRAPH_API_URL: origin,
      ENTRA_AUTHORITY_URL: origin,
      ENGINE_POLL_MS: '50',
      ENGINE_CALL_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await app?.dispose();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });

  it('asks for every page of a short listing while its writes are held, and runs its tenants once written', async () => {
    const id = await createOperation(app, runnableOperation('GET /v1.0/organization', 'all'));
    expect((await runOperation(app, id)).statusCode).toBe(202);
    await pageAsked[0];
    const { DATABASE_URL: url, DATABASE_SCHEMA: schema } = app.databaseEnv;
    const client = new Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      // The run's tenants cannot be written until this session ends.
      await client.query('BEGIN');
      await client.query('LOCK TABLE "operation_run_tenants" IN EXCLUSIVE MODE');
      release();
      const within = async (ms: number, what: Promise<void>) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          return await Promise.race([
            what.then(() => 'asked'),
            new Promise((done) => (timer = setTimeout(() => done('not asked'), ms))),
          ]);
        } finally {
          clearTimeout(timer);
        }
      };
      // Nine customers are less than a batch: every page is asked for before any is written.
      expect(await within(10_000, pageAsked[1])).toBe('asked');
      expect(await within(10_000, pageAsked[2])).toBe('asked');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const operation = await finished(app, id);
    expect(operation.status).toBe('succeeded');
    expect(operation.result.executionInfo).toMatch(/9 tenants: 9 succeeded/);
  });
});
