/**
 * npm run soak [-- --minutes 10 --connections 20]
 *
 * Builds, starts the service (production build, loopback, fresh SQLite file) and drives a mixed
 * load at it for a fixed time from bench/soak-load.js: a quarter creates, then reads by key,
 * filtered pages and updates. Prints, per minute, requests/s, p50 and p99 latency, non-2xx answers
 * and the service's RSS; then the row count against the acknowledged creates (every 201 must be a
 * row, and there are no rows that nobody was told about unless a request failed in transit) and
 * whether RSS levelled off. Not a test and not in CI: it takes minutes.
 */
import 'reflect-metadata';
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/app-config';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';
import { argument, median, memoryMb, startBenchService } from './service-process';
import { benchToken } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');

const MINUTES = argument('minutes', 10);
const CONNECTIONS = argument('connections', 20);

interface MinuteLine {
  minute: number;
  requests: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  acknowledgedCreates: number;
}

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-soak-'));
  const databasePath = join(folder, 'soak.sqlite');
  const { child: service, port } = await startBenchService({
    DATABASE_PATH: databasePath,
  });
  try {
    const token = await benchToken(loadConfig({ DATABASE_PATH: databasePath }));
    const url = `http://127.0.0.1:${port}`;
    // The seed's example, as its own partner tenant (whose token the bench mints).
    const body = seedExampleRequest;
    console.log(
      `Soaking for ${MINUTES} min with ${CONNECTIONS} connections ` +
        '(25% creates, 45% reads by key, 15% filtered pages of 50, 15% updates)\n',
    );
    console.log('| minute | requests/s | p50 ms | p99 ms | non-2xx | errors | RSS MB |');
    console.log('| -----: | ---------: | -----: | -----: | ------: | -----: | -----: |');
    const load = spawn(
      process.execPath,
      [
        join(ROOT, 'bench/soak-load.js'),
        JSON.stringify({ url, token, connections: CONNECTIONS, minutes: MINUTES, body }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const rss: number[] = [];
    let acknowledged: string[] = [];
    let totalNon2xx = 0;
    for await (const line of createInterface({ input: load.stdout! })) {
      const parsed = JSON.parse(line) as MinuteLine | { done: true; acknowledged: string[] };
      if ('done' in parsed) {
        acknowledged = parsed.acknowledged;
        continue;
      }
      const memory = memoryMb(service.pid!).rss;
      rss.push(memory);
      totalNon2xx += parsed.non2xx + parsed.errors;
      console.log(
        `| ${parsed.minute} | ${(parsed.requests / 60).toFixed(0)} | ${parsed.p50.toFixed(1)} | ` +
          `${parsed.p99.toFixed(1)} | ${parsed.non2xx} | ${parsed.errors} | ${memory.toFixed(0)} |`,
      );
    }

    const headers = { authorization: `Bearer ${token}` };
    const count = Number(
      await (await fetch(`${url}/beta/managedTenantOperations/$count`, { headers })).text(),
    );
    // Every acknowledged create, read back by key (20 at a time).
    let missing = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < acknowledged.length) {
          const id = acknowledged[next++];
          const response = await fetch(`${url}/beta/managedTenantOperations/${id}`, { headers });
          await response.arrayBuffer();
          if (response.status !== 200) missing++;
        }
      }),
    );
    console.log(
      `\nRows: ${count}; acknowledged creates: ${acknowledged.length}; acknowledged but missing: ` +
        `${missing}; rows nobody was told about: ${count - (acknowledged.length - missing)}`,
    );
    console.log(`Non-2xx answers and failed requests in all: ${totalNon2xx}`);
    if (rss.length >= 4) {
      // Medians, so that one minute caught before a garbage collection does not decide.
      const half = Math.floor(rss.length / 2);
      const firstHalf = median(rss.slice(0, half));
      const secondHalf = median(rss.slice(half));
      const growth = (secondHalf - firstHalf) / firstHalf;
      console.log(
        `RSS: median ${firstHalf.toFixed(0)} MB in the first half of the minutes, ` +
          `${secondHalf.toFixed(0)} MB in the second (${(growth * 100).toFixed(1)}%): ` +
          (growth < 0.1 ? 'levelled off' : 'still growing'),
      );
    }
  } finally {
    service.kill('SIGTERM');
    await new Promise((done) => service.once('exit', done));
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
