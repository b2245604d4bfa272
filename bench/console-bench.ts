/**
 * npm run bench:console [-- --tenants 10000 --rounds 5]
 *
 * The console's "Tenants" table of a run of `--tenants` tenants: fills a fresh SQLite database
 * (one operation, one finished run, a result and a directory entry per tenant), starts the service
 * (production build, loopback), and in Debian's Chromium opens the operation's page, signed in,
 * timing from navigation until the table shows its first page of tenants. Also times the API
 * request behind that page alone. Prints medians. Not a test.
 */
import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { launchChromium } from '../test/support/chromium';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { resolve as provided } from '../src/common/typed-token';
import { Entity } from '../src/edm/entity';
import {
  managedTenantOperation,
  managedTenantOperationResult,
  managedTenantOperationRun,
  tenant,
} from '../src/edm/model';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { argument, median, startBenchService, stopProcess } from './service-process';
import { BENCH_TENANT, BENCH_USER, benchToken, syntheticOperation } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');
const TENANTS = argument('tenants', 10_000);
const ROUNDS = argument('rounds', 5);

async function fill(databasePath: string): Promise<string> {
  const app = await createApp(loadConfig({ DATABASE_PATH: databasePath, LOG_LEVEL: 'error' }));
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const synthetic = syntheticOperation(0, Date.UTC(2026, 0, 1));
  const operation = { ...synthetic, properties: { ...synthetic.properties, status: 'failed' } };
  await provided(app, entityStoreToken(managedTenantOperation)).insertMany([operation]);
  const failed = Math.floor(TENANTS / 10);
  await provided(app, entityStoreToken(managedTenantOperationRun)).insertMany([
    {
      id: '1',
      createdDateTime: at,
      lastModifiedDateTime: at,
      properties: {
        partnerTenantId: BENCH_TENANT,
        managedTenantOperationId: operation.id,
        runNumber: 1,
        trigger: 'manual',
        tenantScope: 'allTargets',
        status: 'failed',
        startedDateTime: at,
        finishedDateTime: at,
        tenantCount: TENANTS,
        succeededTenantCount: TENANTS - failed,
        failedTenantCount: failed,
        notRunTenantCount: 0,
        callCount: TENANTS,
      },
      dynamicProperties: {},
    },
  ]);
  const results = provided(app, entityStoreToken(managedTenantOperationResult));
  const directory = provided(app, entityStoreToken(tenant));
  for (let first = 0; first < TENANTS; first += 1_000) {
    const batch: Entity[] = [];
    const customers: Entity[] = [];
    for (let index = first; index < Math.min(first + 1_000, TENANTS); index += 1) {
      const targetTenantId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
      const fails = index % 10 === 0;
      batch.push({
        id: randomUUID(),
        createdDateTime: at,
        lastModifiedDateTime: at,
        properties: {
          partnerTenantId: BENCH_TENANT,
          partnerUserId: BENCH_USER,
          targetTenantId,
          managedTenantOperationId: operation.id,
          requestId: operation.properties.requestId,
          runNumber: 1,
          isSuccess: !fails,
          exception: fails ? 'GET /v1.0/users answered 403 Authorization_RequestDenied.' : null,
          executionInfo: `1 request, 1 call, ${fails ? 0 : 3} rows, 0.1 s`,
          result: fails ? [] : [1, 2, 3].map((row) => JSON.stringify({ id: `${index}-${row}` })),
        },
        dynamicProperties: {},
      });
      customers.push({
        id: targetTenantId,
        createdDateTime: at,
        lastModifiedDateTime: at,
        properties: {
          partnerTenantId: BENCH_TENANT,
          tenantId: targetTenantId,
          displayName: `Customer ${String(index).padStart(5, '0')}`,
          tags: [],
          lastUpdatedDateTime: at,
        },
        dynamicProperties: {},
      });
    }
    await results.insertMany(batch);
    await directory.insertMany(customers);
  }
  await app.close();
  return operation.id;
}

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-console-bench-'));
  try {
    const databasePath = join(folder, 'service.sqlite');
    console.log(`Filling a run of ${TENANTS} tenants…`);
    const operationId = await fill(databasePath);
    const token = await benchToken(loadConfig({ DATABASE_PATH: databasePath }));
    const { child: service, port } = await startBenchService({
      DATABASE_PATH: databasePath,
      ENGINE_ENABLED: '0',
    });
    const base = `http://127.0.0.1:${port}`;
    const browser = await launchChromium();
    try {
      // The request the table makes for its first page.
      const firstPage =
        `${base}/beta/managedTenantOperations/${operationId}/runs/1/results?` +
        '$select=id,targetTenantId,isSuccess,exception,executionInfo,lastModifiedDateTime' +
        '&$expand=tenant($select=displayName)&$orderby=tenant/displayName%20asc,id&$top=50&$count=true';
      const apiMs: number[] = [];
      for (let round = 0; round < ROUNDS * 4; round += 1) {
        const started = performance.now();
        const response = await fetch(firstPage, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as { value: unknown[]; '@odata.count': number };
        if (body.value.length !== 50 || body['@odata.count'] !== TENANTS)
          throw new Error(`unexpected first page: ${JSON.stringify(body).slice(0, 300)}`);
        apiMs.push(performance.now() - started);
      }
      const pageMs: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await context.addInitScript(
          `sessionStorage.setItem('managed-tenant-operations.token', ${JSON.stringify(token)})`,
        );
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${base}/console#/operations/${operationId}/tenants`);
        await page
          .getByRole('table', { name: 'Tenants' })
          .locator('tbody tr:nth-child(50)')
          .waitFor({ timeout: 30_000 });
        pageMs.push(performance.now() - started);
        await context.close();
      }
      console.log(
        `Tenants of a run of ${TENANTS}: first page in the browser ${median(pageMs).toFixed(0)} ms ` +
          `(median of ${ROUNDS}, from navigation, page load included); its API request alone ` +
          `${median(apiMs).toFixed(0)} ms (median of ${ROUNDS * 4}).`,
      );
    } finally {
      await browser.close();
      await stopProcess(service);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
