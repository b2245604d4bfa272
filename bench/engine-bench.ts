/**
 * npm run bench:engine [-- --tenants 1000,10000 --latency 50 --concurrency 32 --warmup 3000 --profile DIR]
 *
 * The operation engine's throughput. Not a test. For each number of tenants,
 * a fresh service process (the production build, on an SQLite file) runs one operation of one
 * Graph call per tenant against the Graph stand-in in this process (each call takes --latency
 * ms; tokens come from its on-behalf-of endpoint at once), and the bench reports:
 *
 * Up to 20,000 tenants the operation lists them; above, it targets all of the stand-in's customers
 * (the body limit holds about 26,000 GUIDs), so that run also lists them from /contracts.
 *
 * - tenants per second, from the run's 202 to its final status, and the ratio to the bound the
 *   concurrency sets (ENGINE_CONCURRENCY / latency): the target is at least 0.8;
 * - the service's peak RSS, the most V8 heap it had in use (garbage included) and the most it
 *   held just after a full collection (its live memory; bench/memory-probe.js): the target is
 *   that live memory does not grow with the number of tenants;
 * - the database writes per tenant: rows inserted (its result and its HTTP request at
 *   logLevel summary) and statements on the run queue (its insert, claim and completion);
 * - where the time went: the first tenant's result after the 202, when the listing of the
 *   customers ended, the steady rate, and the summing up after the last tenant.
 */
import { ChildProcess, execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/app-config';
import { startGraphSimulator } from '../src/graph-simulator/graph-simulator';
import { freePort } from '../test/support/processes';
import { benchToken, BENCH_TENANT, BENCH_USER } from './synthetic-operations';
import {
  cpuMicroseconds,
  memoryMb,
  probedPeakHeapMb,
  serviceArguments,
  startProcess,
  stopProcess,
} from './service-process';

const ROOT = resolve(__dirname, '..');

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const SIZES = option('tenants', '1000,10000').split(',').map(Number);
const LATENCY_MS = Number(option('latency', '50'));
const CONCURRENCY = Number(option('concurrency', '32'));
/** Tenants of the warm-up run before the measured one. */
const WARMUP = Number(option('warmup', '3000'));
/** `--profile DIR`: the service writes a CPU profile there (bench/profile-summary.js sums it). */
const PROFILE_DIR = option('profile', '');

interface Measure {
  readonly tenants: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly ratio: number;
  readonly peakRssMb: number;
  /** The most V8 heap in use at once, garbage not yet collected included (not what it reserves). */
  readonly peakHeapMb: number;
  /** The most V8 heap in use just after a full collection: what the process really held. */
  readonly peakLiveHeapMb: number;
  readonly rowsPerTenant: number;
  readonly queueStatementsPerTenant: number;
  readonly status: string;
  readonly serviceCpuPerTenant: number;
  readonly simulatorCpuPerTenant: number;
  readonly peakInFlight: number;
  readonly phases: Phases;
  /** Whether the operation listed its tenants (else: all customers, listed from /contracts). */
  readonly listed: boolean;
}

/**
 * Where a run's time went, from the rows it wrote (seconds after its 202): the first result (a
 * result row is written with the next batch of finished tenants), the listing of the
 * partner's customers (its last call to /contracts, if it listed them), the steady rate between
 * the 10th and the 90th percentile of its tenants' results (as a ratio to the bound), and the
 * summing up after its last tenant's result.
 */
interface Phases {
  readonly listedAfter?: number;
  /** The ratio to the bound while the customers were listed, and after. */
  readonly listingRatio?: number;
  readonly afterListingRatio?: number;
  readonly steadyRatio: number;
  readonly summingUp: number;
  /** Seconds from the 202 to the first tenant's result. */
  readonly firstResult: number;
}

function phasesOf(
  db: Database.Database,
  operationId: string,
  accepted: number,
  completed: number,
): Phases {
  const times = (sql: string) =>
    (db.prepare(sql).all(operationId) as Array<{ at: string }>).map((row) => Date.parse(row.at));
  const results = times(
    'SELECT "createdDateTime" AS at FROM managed_tenant_operation_results WHERE "managedTenantOperationId" = ? ORDER BY 1',
  );
  const listings = times(
    `SELECT "createdDateTime" AS at FROM managed_tenant_operation_http_requests WHERE "managedTenantOperationId" = ? AND json_extract("request", '$.url') LIKE '%/contracts%' ORDER BY 1`,
  );
  const at = (fraction: number) => results[Math.floor((results.length - 1) * fraction)];
  const steady = (results.length * 0.8) / ((at(0.9) - at(0.1)) / 1000);
  const bound = CONCURRENCY / (LATENCY_MS / 1000);
  const listedAt = listings.length ? listings[listings.length - 1] : undefined;
  const doneWhileListing =
    listedAt === undefined ? 0 : results.filter((time) => time <= listedAt).length;
  const ratioOf = (tenants: number, from: number, to: number) =>
    tenants / ((to - from) / 1000) / bound;
  return {
    listedAfter: listedAt === undefined ? undefined : (listedAt - accepted) / 1000,
    listingRatio:
      listedAt === undefined ? undefined : ratioOf(doneWhileListing, accepted, listedAt),
    afterListingRatio:
      listedAt === undefined
        ? undefined
        : ratioOf(results.length - doneWhileListing, listedAt, results[results.length - 1]),
    steadyRatio: steady / bound,
    summingUp: (completed - results[results.length - 1]) / 1000,
    firstResult: (results[0] - accepted) / 1000,
  };
}

/**
 * The most tenants an operation's body lists (about 26,000 GUIDs fit in the 1 MiB body limit);
 * above it the measured run targets all of the partner's customers instead (`allTenants`, the
 * listing of `/contracts` counted in the run's time).
 */
const MAX_LISTED_TENANTS = 20_000;

/** Creates an operation over `tenantIds` (or all customers), runs it and waits until it is complete. */
async function runOperation(
  base: string,
  headers: Record<string, string>,
  tenantIds: readonly string[] | 'allTenants',
): Promise<{
  id: string;
  status: string;
  executionInfo: string;
  accepted: number;
  completed: number;
}> {
  const target =
    tenantIds === 'allTenants' ? { allTenants: true } : { allTenants: false, tenantIds };
  const count = tenantIds === 'allTenants' ? 'all' : String(tenantIds.length);
  const created = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      partnerTenantId: BENCH_TENANT,
      partnerUserId: BENCH_USER,
      requestId: crypto.randomUUID(),
      name: `engine bench, ${count} tenants`,
      description: 'One Graph call per tenant',
      status: 'created',
      result: {},
      target,
      operationDefinition: { value: 'GET /v1.0/organization', logLevel: 'summary' },
      aggregationDefinition: { value: '' },
      credentials: { dapAccessToken: 'engine-bench-dap-token' },
    }),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const run = await fetch(`${base}/${id}/run`, { method: 'POST', headers });
  if (run.status !== 202) throw new Error(`run: ${run.status} ${await run.text()}`);
  const accepted = Date.now();
  for (;;) {
    const operation = (await (
      await fetch(`${base}/${id}?$select=status,result`, { headers })
    ).json()) as { status: string; result: { isComplete: boolean; executionInfo: string } };
    if (operation.result?.isComplete) {
      return {
        id,
        status: operation.status,
        executionInfo: operation.result.executionInfo,
        accepted,
        completed: Date.now(),
      };
    }
    // Often enough that the poll adds little to what is measured, seldom enough to cost little.
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function measure(tenants: number): Promise<Measure> {
  const folder = mkdtempSync(join(tmpdir(), 'mto-engine-bench-'));
  const listed = tenants <= MAX_LISTED_TENANTS;
  // Listed: the warm-up runs in other tenants. All customers: the warm-up runs in the first ones.
  const customers = listed ? tenants + WARMUP : tenants;
  const simulator = await startGraphSimulator({ tenants: customers, latencyMs: LATENCY_MS });
  let service: ChildProcess | undefined;
  try {
    const databasePath = join(folder, 'service.sqlite');
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATABASE_PATH: databasePath,
      THROTTLE_LIMIT: '1000000000',
      GRAPH_API_URL: simulator.url,
      ENTRA_AUTHORITY_URL: simulator.url,
      ENTRA_CLIENT_ID: 'engine-bench',
      ENGINE_CONCURRENCY: String(CONCURRENCY),
    };
    const token = await benchToken(loadConfig(env));
    const profiling = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
    const probe = ['--require', join(__dirname, 'memory-probe.js')];
    service = await startProcess(
      process.execPath,
      [...probe, ...profiling, ...serviceArguments()],
      env,
      'Serving',
    );
    const base = `http://127.0.0.1:${port}/beta/managedTenantOperations`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A warm-up run in other tenants first: the service is measured warm, as it runs.
    await runOperation(
      base,
      headers,
      listed
        ? simulator.customerTenantIds.slice(tenants)
        : simulator.customerTenantIds.slice(0, WARMUP),
    );
    const cpuBefore = cpuMicroseconds(service.pid!);
    const benchCpuBefore = process.cpuUsage();
    const { id, status, executionInfo, accepted, completed } = await runOperation(
      base,
      headers,
      listed ? simulator.customerTenantIds.slice(0, tenants) : 'allTenants',
    );
    console.log(`  ${executionInfo}`);
    const seconds = (completed - accepted) / 1000;
    const serviceCpuPerTenant = (cpuMicroseconds(service.pid!) - cpuBefore) / tenants;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const simulatorCpuPerTenant = (benchCpu.user + benchCpu.system) / tenants;
    const peakRssMb = memoryMb(service.pid!).peak;
    const stopped = service;
    await stopProcess(service);
    const heap = probedPeakHeapMb(stopped);
    service = undefined;
    const db = new Database(databasePath, { readonly: true });
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    const rows =
      count('SELECT COUNT(*) AS n FROM managed_tenant_operation_results') +
      count('SELECT COUNT(*) AS n FROM managed_tenant_operation_http_requests');
    // Each tenant's row is inserted, claimed (once per claim) and completed.
    const queue = count('SELECT COUNT(*) + SUM(claims) + COUNT(*) AS n FROM operation_run_tenants');
    const phases = phasesOf(db, id, accepted, completed);
    db.close();
    const perSecond = tenants / seconds;
    return {
      tenants,
      seconds,
      perSecond,
      ratio: perSecond / (CONCURRENCY / (LATENCY_MS / 1000)),
      peakRssMb,
      peakHeapMb: heap?.used ?? NaN,
      peakLiveHeapMb: heap?.live ?? NaN,
      // The warm-up's tenants are in the tables too.
      rowsPerTenant: rows / (tenants + WARMUP),
      queueStatementsPerTenant: queue / (tenants + WARMUP),
      listed,
      status,
      serviceCpuPerTenant,
      simulatorCpuPerTenant,
      peakInFlight: simulator.peakInFlight(),
      phases,
    };
  } finally {
    if (service) await stopProcess(service);
    await simulator.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const bound = CONCURRENCY / (LATENCY_MS / 1000);
  console.log(
    `ENGINE_CONCURRENCY=${CONCURRENCY}, ${LATENCY_MS} ms a call: the bound is ${bound.toFixed(0)} tenants/s.`,
  );
  const measures: Measure[] = [];
  for (const tenants of SIZES) {
    console.log(`Running ${tenants} tenants…`);
    measures.push(await measure(tenants));
  }
  console.log(
    '\n| tenants | seconds | tenants/s | ratio to bound | peak RSS | peak heap used | peak live heap | rows/tenant | queue statements/tenant | CPU µs/tenant (service / stand-in) | peak calls in flight | status |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const m of measures) {
    console.log(
      `| ${m.tenants}${m.listed ? '' : ' (all customers)'} | ${m.seconds.toFixed(1)} | ${m.perSecond.toFixed(0)} | ${m.ratio.toFixed(2)} | ${m.peakRssMb.toFixed(0)} MB | ${m.peakHeapMb.toFixed(0)} MB | ${m.peakLiveHeapMb.toFixed(0)} MB | ${m.rowsPerTenant.toFixed(2)} | ${m.queueStatementsPerTenant.toFixed(2)} | ${m.serviceCpuPerTenant.toFixed(0)} / ${m.simulatorCpuPerTenant.toFixed(0)} | ${m.peakInFlight} | ${m.status} |`,
    );
  }
  console.log(
    '\n| tenants | first result after | customers listed after | ratio while listing / after | steady ratio (10th–90th percentile) | summing up |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const { tenants, phases } of measures) {
    const listing =
      phases.listedAfter === undefined
        ? ['–', '–']
        : [
            `${phases.listedAfter.toFixed(1)} s`,
            `${phases.listingRatio!.toFixed(2)} / ${phases.afterListingRatio!.toFixed(2)}`,
          ];
    console.log(
      `| ${tenants} | ${phases.firstResult.toFixed(2)} s | ${listing.join(' | ')} | ${phases.steadyRatio.toFixed(2)} | ${phases.summingUp.toFixed(2)} s |`,
    );
  }
  console.log(
    '\nTargets: ratio ≥ 0.8; memory (the live heap) not growing with the number of tenants.',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
