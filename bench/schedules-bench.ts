/**
 * npm run bench:schedules [-- --operations 1000 --instances 1 --lead 40]
 *
 * `--operations` operations whose schedules are due in the same second (a daily schedule at a
 * time of day `--lead` seconds after they are created), each in one tenant of the Graph
 * simulator: starts the service (production build, loopback; `--instances 2` starts two sharing
 * the PostgreSQL database of BENCH_DATABASE_URL, or of postgres://postgres@127.0.0.1:5432/postgres
 * in a schema of its own), creates the operations through the API and waits until every slot has
 * started its run. Prints how long after the slot the last run started, the lag of the runs' start
 * from the slot (p50, p99), and whether each slot started exactly one run. Not a test.
 */
import 'reflect-metadata';
import { ChildProcess, execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createDevelopmentKey } from '../src/auth/development-issuer';
import { loadConfig } from '../src/config/app-config';
import { startGraphSimulator } from '../src/graph-simulator/graph-simulator';
import { freePort } from '../test/support/processes';
import { argument, serviceArguments, startProcess, stopProcess } from './service-process';
import { benchToken } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');
const OPERATIONS = argument('operations', 1_000);
const INSTANCES = argument('instances', 1);
const LEAD_SECONDS = argument('lead', 40);
const POSTGRES_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function main(): Promise<void> {
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-schedules-bench-'));
  const simulator = await startGraphSimulator({ tenants: 4, usersPerTenant: 1 });
  const schema = `bench_schedules_${process.pid}`;
  const services: ChildProcess[] = [];
  let admin: Client | undefined;
  try {
    let databaseEnv: NodeJS.ProcessEnv = { DATABASE_PATH: join(folder, 'service.sqlite') };
    if (INSTANCES > 1) {
      admin = new Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      databaseEnv = {
        DATABASE_URL: POSTGRES_URL,
        DATABASE_SCHEMA: schema,
        DEVELOPMENT_ISSUER_KEY: await createDevelopmentKey(),
      };
    }
    const ports: number[] = [];
    for (let i = 0; i < INSTANCES; i += 1) ports.push(await freePort());
    const envOf = (port: number) => ({
      PORT: String(port),
      ...databaseEnv,
      THROTTLE_LIMIT: '1000000000',
      GRAPH_API_URL: simulator.url,
      ENTRA_AUTHORITY_URL: simulator.url,
      ENTRA_CLIENT_ID: 'schedules-bench',
      CREDENTIALS_KEY: randomBytes(32).toString('hex'),
    });
    const token = await benchToken(loadConfig(envOf(ports[0])));
    for (const port of ports) {
      // One after the other: the first runs the migrations.
      services.push(
        await startProcess(process.execPath, serviceArguments(), envOf(port), 'Serving'),
      );
    }
    const base = `http://127.0.0.1:${ports[0]}/beta/managedTenantOperations`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const slot = new Date(Math.ceil((Date.now() + LEAD_SECONDS * 1000) / 1000) * 1000);
    const slotText = slot.toISOString();
    const schedule = {
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'noEnd', startDate: slotText.slice(0, 10), recurrenceTimeZone: 'UTC' },
      },
      timeOfDay: slotText.slice(11, 19),
    };
    const created = Date.now();
    for (let i = 0; i < OPERATIONS; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, OPERATIONS - i) }, async (_, j) => {
          const response = await fetch(base, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              name: `scheduled-${i + j}`,
              credentials: { dapAccessToken: 'bench' },
              target: { tenantIds: [simulator.customerTenantIds[(i + j) % 4]] },
              operationDefinition: { value: 'GET /v1.0/organization' },
              schedule,
            }),
          });
          if (response.status !== 201) throw new Error(`create: ${response.status}`);
        }),
      );
    }
    if (Date.now() > slot.getTime()) {
      throw new Error('Creating the operations took longer than --lead: give a longer one.');
    }
    console.log(
      `${OPERATIONS} operations created in ${((Date.now() - created) / 1000).toFixed(1)} s; slot ${slotText}; ${INSTANCES} instance${INSTANCES === 1 ? '' : 's'} (${INSTANCES > 1 ? 'PostgreSQL' : 'SQLite'})`,
    );
    const fired = `${base}?$filter=schedule/lastRunDateTime ne null&$count=true&$top=0`;
    for (;;) {
      const count = ((await (await fetch(fired, { headers })).json()) as Record<string, number>)[
        '@odata.count'
      ];
      if (count >= OPERATIONS) break;
      if (Date.now() > slot.getTime() + 300_000) throw new Error(`only ${count} fired in 5 min`);
      await new Promise((done) => setTimeout(done, 200));
    }
    const lags: number[] = [];
    let extraRuns = 0;
    let next: string | undefined =
      `${base}?$select=id&$expand=runs($select=runNumber,scheduledDateTime,startedDateTime)`;
    while (next) {
      const page = (await (await fetch(next, { headers })).json()) as {
        value: Array<{ runs: Array<{ scheduledDateTime: string; startedDateTime: string }> }>;
        '@odata.nextLink'?: string;
      };
      for (const operation of page.value) {
        extraRuns += Math.max(0, operation.runs.length - 1);
        for (const run of operation.runs) {
          lags.push(Date.parse(run.startedDateTime) - Date.parse(run.scheduledDateTime));
        }
      }
      const link = page['@odata.nextLink'];
      next =
        link === undefined ? undefined : new URL(link, `http://127.0.0.1:${ports[0]}/beta/`).href;
    }
    lags.sort((a, b) => a - b);
    console.log(
      `  every run started ${(lags[lags.length - 1] / 1000).toFixed(2)} s after the slot; lag p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms; ${lags.length} runs, ${extraRuns === 0 ? 'exactly one per slot' : `${extraRuns} more than one per slot`}`,
    );
  } finally {
    for (const service of services) await stopProcess(service);
    await simulator.close();
    if (admin) {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
