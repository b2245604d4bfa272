import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { RunningSimulator } from '../src/graph-simulator/graph-simulator';
import { startWithDirectory, TENANTS, GROUPS } from './support/directory';
import { createOperation, finished, runnableOperation, runOperation } from './support/engine';
import { newOperation } from './support/operation-factory';
import { freePort, startServiceProcess } from './support/processes';
import { ENTITY_SET, TEST_TENANT, TestApp, tokenFor } from './support/test-app';

const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);

/** The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else field += char;
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

describe('collections as CSV and NDJSON files', () => {
  jest.setTimeout(120_000);
  let simulator: RunningSimulator;
  let app: TestApp;
  let operationId: string;
  const names = ['=SUM(A1:A9)', '+cmd', '-2+3', '@import', 'plain, with "quotes"\nand a line'];

  beforeAll(async () => {
    ({ simulator, app } = await startWithDirectory(5, [1]));
    for (const [index, name] of names.entries()) {
      const created = await app.post(newOperation({ name, description: `operation ${index}` }));
      expect(created.statusCode).toBe(201);
    }
    operationId = await createOperation(
      app,
      runnableOperation('GET /v1.0/users?$select=id,displayName', 'all'),
    );
    expect((await runOperation(app, operationId)).statusCode).toBe(202);
    await finished(app, operationId);
  });
  afterAll(async () => {
    await app.dispose();
    await simulator.close();
  });

  it('answers Accept: text/csv with every row (no paging), $select deciding the columns, formulas escaped', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `${ENTITY_SET}?$select=name,target,status&$filter=startswith(description,'operation')&$orderby=description`,
      headers: { accept: 'text/csv', prefer: 'odata.maxpagesize=2' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="managedTenantOperations.csv"; filename*=UTF-8''managedTenantOperations.csv`,
    );
    expect(response.headers['preference-applied']).toBeUndefined();
    expect(response.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(response.body.slice(1));
    expect(header).toEqual(['id', 'name', 'target', 'status']);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row[1])).toEqual([
      "'=SUM(A1:A9)",
      "'+cmd",
      "'-2+3",
      "'@import",
      'plain, with "quotes"\nand a line',
    ]);
    // A complex value is its JSON text in one cell.
    expect(JSON.parse(rows[0][2])).toEqual(
      expect.objectContaining({ tenantIds: expect.any(Array) }),
    );
    expect(response.body).not.toContain('@odata');
  });

  it('answers $format=ndjson (and Accept: application/x-ndjson) with one entity per line', async () => {
    for (const request of [
      {
        url: `${ENTITY_SET}?$format=ndjson&$search="operation"&$orderby=description desc`,
        headers: {},
      },
      {
        url: `${ENTITY_SET}?$search="operation"&$orderby=description desc`,
        headers: { accept: 'application/x-ndjson' },
      },
    ]) {
      const response = await app.inject({ method: 'GET', ...request });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      const lines = response.body.split('\n');
      expect(lines.pop()).toBe('');
      const entities = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entities.map((entity) => entity.description)).toEqual([
        'operation 4',
        'operation 3',
        'operation 2',
        'operation 1',
        'operation 0',
      ]);
      expect(entities[0]).not.toHaveProperty('@odata.etag');
      expect(response.body).not.toMatch(/dap-|dapAccessToken/);
    }
  });

  it('serves every collection as CSV: results, HTTP requests, runs, tenants, groups, audit events', async () => {
    const group = await app.inject({
      method: 'POST',
      url: GROUPS,
      payload: { displayName: 'gold', tenantIds: [simulator.customerTenantIds[1]] },
    });
    expect(group.statusCode).toBe(201);
    for (const [url, column] of [
      [`${ENTITY_SET}/${operationId}/results`, 'targetTenantId'],
      [`${ENTITY_SET}/${operationId}/httpRequests`, 'statusCode'],
      [`${ENTITY_SET}/${operationId}/runs`, 'runNumber'],
      ['/beta/managedTenantOperationResults', 'targetTenantId'],
      [TENANTS, 'displayName'],
      [GROUPS, 'displayName'],
      ['/beta/auditEvents', 'activity'],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `${url}?$format=csv` });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      const [header, ...rows] = parseCsv(response.body.slice(1));
      expect(header).toContain(column);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.length === header.length)).toBe(true);
    }
    const groupId = group.json<{ id: string }>().id;
    const members = parseCsv(
      (
        await app.inject({
          method: 'GET',
          url: `${GROUPS}/${groupId}/members?$select=displayName`,
          headers: { accept: 'text/csv' },
        })
      ).body.slice(1),
    );
    expect(members).toEqual([
      ['id', 'displayName'],
      [simulator.customerTenantIds[1], expect.any(String)],
    ]);
    const tenants = parseCsv(
      (
        await app.inject({
          method: 'GET',
          url: `${TENANTS}?$format=csv&$filter=tags/any(t:t eq 'gold')&$select=displayName,tags`,
        })
      ).body.slice(1),
    );
    expect(tenants).toEqual([
      ['id', 'displayName', 'tags'],
      [simulator.customerTenantIds[1], expect.any(String), '["gold"]'],
    ]);
  });

  it('refuses what a file cannot hold, and a format it does not know, with OData errors', async () => {
    const expand = await app.inject({
      method: 'GET',
      url: `${ENTITY_SET}/${operationId}/results?$format=csv&$expand=tenant`,
    });
    expect(expand.statusCode).toBe(400);
    expect(expand.json().error.message).toMatch(/\$expand is not available in CSV/);
    const unknown = await app.inject({
      method: 'GET',
      url: ENTITY_SET,
      headers: { accept: 'application/xml' },
    });
    expect(unknown.statusCode).toBe(406);
    expect(unknown.json().error.message).toMatch(
      /application\/json, text\/csv or application\/x-ndjson/,
    );
    const badFilter = await app.inject({
      method: 'GET',
      url: `${ENTITY_SET}?$format=csv&$filter=displayName eq`,
    });
    expect(badFilter.statusCode).toBe(400);
    // JSON stays the default, and wins when preferred.
    const json = await app.inject({
      method: 'GET',
      url: ENTITY_SET,
      headers: { accept: 'application/json, text/csv;q=0.5' },
    });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it("gives a run's rows as a table: JSON with the tenant first, CSV with the union of the rows' columns, a file name", async () => {
    const json = await app.inject({ method: 'GET', url: `${ENTITY_SET}/${operationId}/rows()` });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json;odata\.metadata=minimal/);
    const body = json.json<{ '@odata.context': string; value: Array<Record<string, unknown>> }>();
    expect(body['@odata.context']).toMatch(
      /\/\$metadata#Collection\(microsoft\.graph\.managedTenantOperationRow\)$/,
    );
    expect(body.value).toHaveLength(5);
    const names = new Map(
      (await app.get(`${TENANTS}?$select=displayName`))
        .json<{ value: Array<{ id: string; displayName: string }> }>()
        .value.map((found) => [found.id, found.displayName]),
    );
    for (const row of body.value) {
      expect(Object.keys(row).slice(0, 3)).toEqual([
        '_TenantId',
        '_TenantDisplayName',
        '_RunNumber',
      ]);
      expect(row._TenantDisplayName).toBe(names.get(row._TenantId as string));
      expect(row._RunNumber).toBe(1);
      expect(row).toEqual(
        expect.objectContaining({ id: expect.any(String), displayName: expect.any(String) }),
      );
    }
    const csv = await app.inject({
      method: 'GET',
      url: `${ENTITY_SET}/${operationId}/runs(1)/rows`,
      headers: { accept: 'text/csv' },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="[^"]*-run-1\.csv"/);
    const [header, ...rows] = parseCsv(csv.body.slice(1));
    expect(header.slice(0, 2)).toEqual(['_TenantId', '_TenantDisplayName']);
    expect(header).toEqual(expect.arrayContaining(['id', 'displayName']));
    expect(header).not.toContain('_RunNumber');
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row[0]).sort()).toEqual(
      body.value.map((row) => row._TenantId as string).sort(),
    );
    const ndjson = await app.inject({
      method: 'GET',
      url: `${ENTITY_SET}/${operationId}/rows?$format=ndjson`,
    });
    expect(ndjson.body.trim().split('\n')).toHaveLength(5);
    expect(
      (await app.inject({ method: 'GET', url: `${ENTITY_SET}/${operationId}/runs(9)/rows` }))
        .statusCode,
    ).toBe(404);
    const none = await createOperation(app, runnableOperation('GET /v1.0/users', 'all'));
    expect(
      (await app.inject({ method: 'GET', url: `${ENTITY_SET}/${none}/rows` })).statusCode,
    ).toBe(400);
  });

  it('says in OpenAPI which formats each collection offers', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs-json' })).json();
    for (const path of ['/beta/managedTenantOperations', '/beta/tenants', '/beta/auditEvents']) {
      const list = document.paths[path].get;
      expect(Object.keys(list.responses['200'].content)).toEqual([
        'application/json',
        'text/csv',
        'application/x-ndjson',
      ]);
      expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toContain(
        '$format',
      );
    }
  });

  it('says in $metadata which formats collections offer', async () => {
    const metadata = await app.inject({ method: 'GET', url: '/beta/$metadata' });
    expect(metadata.body).toMatch(
      /<Annotation Term="Capabilities.SupportedFormats">[\s\S]*<String>text\/csv<\/String>[\s\S]*<String>application\/x-ndjson<\/String>/,
    );
  });
});

(ON_POSTGRES ? describe.skip : describe)('a 100,000-row export', () => {
  jest.setTimeout(300_000);

  it('is streamed with flat memory: the service grows far less than the file it writes', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-export-'));
    const databasePath = join(folder, 'export.sqlite');
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_PATH: databasePath, ENGINE_ENABLED: '0' };
    // A heap of which the running service (under ts-node) already takes most, smaller than the
    // file: an answer built whole could not be written at all.
    const small = { ...env, NODE_OPTIONS: '--max-old-space-size=128' };
    let service = await startServiceProcess(env);
    service.child.kill('SIGTERM');
    await service.exited;
    // 100,000 customers of the test partner, each about 700 bytes in CSV.
    const db = new Database(databasePath);
    const insert = db.prepare(
      'INSERT INTO "tenants" ("partnerTenantId", "id", "tenantId", "displayName", "contract", "tenantStatusInformation", "tags", "createdDateTime", "lastModifiedDateTime") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const padding = 'x'.repeat(600);
    db.transaction(() => {
      for (let index = 0; index < 100_000; index += 1) {
        const id = randomUUID();
        insert.run(
          TEST_TENANT,
          id,
          id,
          `Customer ${index} ${padding}`,
          JSON.stringify({
            contractType: 'ResellerPartner',
            defaultDomainName: `c${index}.example`,
            displayName: `Customer ${index}`,
          }),
          JSON.stringify({ delegatedPrivilegeStatus: 'granularDelegatedAdminPrivileges' }),
          JSON.stringify(['bulk', `batch-${index % 100}`]),
          '2026-12-01T00:00:00Z',
          '2026-12-01T00:00:00Z',
        );
      }
    })();
    db.close();
    service = await startServiceProcess(small);
    let sampler: NodeJS.Timeout | undefined;
    try {
      const token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
      const rss = () => {
        try {
          const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
          return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
        } catch {
          return 0;
        }
      };
      // Warm up the route and the statements, then take the baseline.
      await (
        await fetch(`http://127.0.0.1:${port}${TENANTS}?$top=10`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).text();
      const baseline = rss();
      let peak = baseline;
      sampler = setInterval(() => {
        // The process may have ended (the test then fails on what it read).
        if (service.child.exitCode === null) peak = Math.max(peak, rss());
      }, 10);
      const response = await fetch(
        `http://127.0.0.1:${port}${TENANTS}?$format=csv&$orderby=displayName`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(response.status).toBe(200);
      let bytes = 0;
      let lines = 0;
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (const byte of value) if (byte === 10) lines += 1;
      }
      clearInterval(sampler);
      expect(service.child.exitCode).toBeNull();
      expect(lines).toBe(100_001);
      expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
      // Held whole, the file alone (as a string, before the objects it came from) would add its
      // size; streamed, a page of rows at a time is held.
      const growth = peak - baseline;
      expect({
        growthMB: Math.round(growth / 2 ** 20),
        fileMB: Math.round(bytes / 2 ** 20),
      }).toEqual({
        growthMB: expect.any(Number),
        fileMB: expect.any(Number),
      });
      expect(growth).toBeLessThan(bytes / 2);
    } finally {
      clearInterval(sampler);
      service.child.kill('SIGTERM');
      await service.exited;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
