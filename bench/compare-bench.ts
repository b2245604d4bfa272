/**
 * npm run bench:compare [-- --tenants 10000 --rows 50 --page 999]
 *
 * `compareRuns` over two runs of one operation of `--tenants` tenants with `--rows` rows each
 * (rows with an id; one in ten tenants has a row changed, one added and one removed from the
 * first run to the second): fills a fresh SQLite database, starts the service (production build,
 * loopback) and reads every page of the comparison. Prints the time to stream all pages, the
 * differences read, and the service's resident memory before and at its peak. Not a test.
 */
import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { resolve as provided } from '../src/common/typed-token';
import { Entity } from '../src/edm/entity';
import {
  managedTenantOperation,
  managedTenantOperationResult,
  managedTenantOperationRun,
} from '../src/edm/model';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { argument, memoryMb, startBenchService, stopProcess } from './service-process';
import { BENCH_TENANT, BENCH_USER, benchToken, syntheticOperation } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');
const TENANTS = argument('tenants', 10_000);
const ROWS = argument('rows', 50);
const PAGE = argument('page', 999);

async function fill(databasePath: string): Promise<{ operationId: string; seconds: number }> {
  const app = await createApp(loadConfig({ DATABASE_PATH: databasePath, LOG_LEVEL: 'error' }));
  const started = performance.now();
  const operation = syntheticOperation(0, Date.UTC(2026, 0, 1));
  await provided(app, entityStoreToken(managedTenantOperation)).insertMany([operation]);
  const at = (run: number) => new Date(Date.UTC(2026, 0, 1) + run * 3_600_000).toISOString();
  const runs: Entity[] = [1, 2].map((run) => ({
    id: String(run),
    createdDateTime: at(run),
    lastModifiedDateTime: at(run),
    properties: {
      partnerTenantId: BENCH_TENANT,
      managedTenantOperationId: operation.id,
      trigger: 'manual',
      tenantScope: 'allTargets',
      status: 'succeeded',
      startedDateTime: at(run),
      finishedDateTime: at(run),
      tenantCount: TENANTS,
      succeededTenantCount: TENANTS,
      failedTenantCount: 0,
      notRunTenantCount: 0,
      callCount: TENANTS,
    },
    dynamicProperties: {},
  }));
  await provided(app, entityStoreToken(managedTenantOperationRun)).insertMany(runs);
  const results = provided(app, entityStoreToken(managedTenantOperationResult));
  const rowsOf = (tenant: number, run: number) =>
    Array.from({ length: ROWS }, (_, row) => {
      // In one tenant of ten, the second run changes row 0, drops row 1 and adds a row.
      const changes = tenant % 10 === 0 && run === 2;
      if (changes && row === 1) return undefined;
      return JSON.stringify({
        id: `${tenant}-${row}`,
        displayName: changes && row === 0 ? 'renamed' : `user ${row} of ${tenant}`,
        accountEnabled: true,
      });
    })
      .filter((row): row is string => row !== undefined)
      .concat(tenant % 10 === 0 && run === 2 ? [JSON.stringify({ id: `${tenant}-new` })] : []);
  for (let first = 0; first < TENANTS; first += 1_000) {
    const batch: Entity[] = [];
    for (let tenant = first; tenant < Math.min(first + 1_000, TENANTS); tenant += 1) {
      const targetTenantId = `00000000-0000-4000-8000-${String(tenant).padStart(12, '0')}`;
      for (const run of [1, 2]) {
        batch.push({
          id: randomUUID(),
          createdDateTime: at(run),
          lastModifiedDateTime: at(run),
          properties: {
            partnerTenantId: BENCH_TENANT,
            partnerUserId: BENCH_USER,
            targetTenantId,
            managedTenantOperationId: operation.id,
            requestId: operation.properties.requestId,
            runNumber: run,
            isSuccess: true,
            result: rowsOf(tenant, run),
          },
          dynamicProperties: {},
        });
      }
    }
    await results.insertMany(batch);
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  return { operationId: operation.id, seconds };
}

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-compare-bench-'));
  try {
    const databasePath = join(folder, 'service.sqlite');
    console.log(`Filling two runs of ${TENANTS} tenants × ${ROWS} rows…`);
    const { operationId, seconds } = await fill(databasePath);
    const token = await benchToken(loadConfig({ DATABASE_PATH: databasePath }));
    const { child: service, port } = await startBenchService({
      DATABASE_PATH: databasePath,
      ENGINE_ENABLED: '0',
    });
    try {
      const before = memoryMb(service.pid!).rss;
      const headers = { authorization: `Bearer ${token}`, prefer: `odata.maxpagesize=${PAGE}` };
      let url: string | undefined =
        `http://127.0.0.1:${port}/beta/managedTenantOperations/${operationId}/compareRuns`;
      let pages = 0;
      let differences = 0;
      const started = performance.now();
      let firstPageMs = 0;
      while (url) {
        const response = await fetch(url, { headers });
        if (response.status !== 200)
          throw new Error(`${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
        pages += 1;
        if (pages === 1) firstPageMs = performance.now() - started;
        differences += body.value.length;
        const next = body['@odata.nextLink'];
        url = next === undefined ? undefined : `http://127.0.0.1:${port}/beta/${next}`;
      }
      const total = (performance.now() - started) / 1000;
      const memory = memoryMb(service.pid!);
      console.log(
        `\n${TENANTS} tenants × ${ROWS} rows, two runs (filled in ${seconds.toFixed(1)} s); pages of ${PAGE}; Node ${process.version}\n`,
      );
      console.log('| differences | pages | first page | all pages | service RSS before → peak |');
      console.log('|---:|---:|---:|---:|---:|');
      console.log(
        `| ${differences} | ${pages} | ${firstPageMs.toFixed(0)} ms | ${total.toFixed(1)} s | ${before.toFixed(0)} → ${memory.peak.toFixed(0)} MB |`,
      );
    } finally {
      await stopProcess(service);
    }
  } finally {
    if (!process.env.KEEP_BENCH_DB) rmSync(folder, { recursive: true, force: true });
    else console.log(`kept ${folder}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
