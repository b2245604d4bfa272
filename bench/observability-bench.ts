/**
 * npm run bench:observability [-- --rows 10000 --duration 5 --rounds 3 --connections 50
 *                                 --export-rows 100000]
 *
 * What watching the service costs, and how fast a file comes out:
 *
 * 1. Scenario (b) of `npm run bench` (GET by key) against three copies of the service on copies of
 *    one database: metrics off (METRICS_ENABLED=0), metrics on (the default), and metrics with
 *    tracing on, exporting every span to an OTLP/HTTP receiver on loopback (in this process,
 *    reading and dropping what it gets, as a collector would take it), and the same with one
 *    trace in ten sampled. Loaded alternately, round
 *    by round, after a warm-up; prints requests/s, p50, p99 and CPU per request, and each
 *    configuration's throughput as a share of "metrics off" (the medians of the per-round ratios).
 * 2. A CSV export of every operation (`--export-rows`, or `--rows` if more; `$format=csv`), read as fast as the client can:
 *    rows per second, and the service's RSS before and at its peak while it wrote.
 *
 * Not a test: compare the ratios within one run.
 */
import 'reflect-metadata';
import { ChildProcess, execSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { developmentKeyPath } from '../src/auth/development-issuer';
import { loadConfig } from '../src/config/app-config';
import { fillDatabase } from './fill-database';
import {
  argument,
  LoadResult,
  loadWith,
  median,
  memoryMb,
  startBenchService,
  stopProcess,
} from './service-process';
import { benchToken } from './synthetic-operations';

const ROOT = resolve(__dirname, '..');
const ROWS = argument('rows', 10_000);
const DURATION = argument('duration', 5);
const ROUNDS = argument('rounds', 3);
const CONNECTIONS = argument('connections', 50);
const EXPORT_ROWS = argument('export-rows', 100_000);
const WARMUP = 2;

/** An OTLP/HTTP trace endpoint that takes every export and keeps only the count. */
async function startSink(): Promise<{ url: string; exports: () => number; close(): void }> {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      exports += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    close: () => server.close(),
  };
}

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-observability-bench-'));
  const sink = await startSink();
  const running: ChildProcess[] = [];
  try {
    const filled = join(folder, 'filled.sqlite');
    console.log(`Filling ${Math.max(ROWS, EXPORT_ROWS)} rows…`);
    const { ids } = await fillDatabase(filled, Math.max(ROWS, EXPORT_ROWS), 0);
    const token = await benchToken(loadConfig({ DATABASE_PATH: filled }));
    const headers = { authorization: `Bearer ${token}` };
    const configurations = [
      ['metrics off', { METRICS_ENABLED: '0' }],
      ['metrics on', {}],
      [
        'metrics and tracing on',
        { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_MAX_QUEUE_SIZE: '65536' },
      ],
      [
        'metrics and tracing, 10% sampled',
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.1',
        },
      ],
    ] as const;
    const services: Array<{ name: string; child: ChildProcess; url: string }> = [];
    for (const [name, env] of configurations) {
      const copy = join(folder, `${name.replace(/\W+/g, '-')}.sqlite`);
      copyFileSync(filled, copy);
      // The development issuer's key is kept beside each database: the same token for all.
      copyFileSync(developmentKeyPath(filled), developmentKeyPath(copy));
      const service = await startBenchService({
        DATABASE_PATH: copy,
        ENGINE_ENABLED: '0',
        ...env,
      });
      running.push(service.child);
      services.push({ name, ...service });
    }

    const results = new Map<string, LoadResult[]>(services.map(({ name }) => [name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const service of services) {
        const run = (duration: number) =>
          loadWith({
            pid: service.child.pid!,
            url: service.url,
            method: 'GET',
            path: '/beta',
            paths: ids.map((id) => `/beta/managedTenantOperations/${id}`),
            headers,
            connections: CONNECTIONS,
            duration,
          });
        if (round === 1) await run(WARMUP);
        const result = await run(DURATION);
        results.get(service.name)!.push(result);
        console.log(
          `round ${round} ${service.name}: ${Math.round(result.requestsPerSecond)} req/s, non-2xx ${result.non2xx}`,
        );
        if (result.non2xx > 0) throw new Error(`${service.name} answered non-2xx`);
      }
    }
    const off = results.get('metrics off')!;
    console.log(
      `\n(b) GET by key, ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections; Node ${process.version}\n`,
    );
    console.log(
      '| configuration | req/s | p50 ms | p99 ms | CPU µs/request | throughput, share of metrics off |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const { name } of services) {
      const runs = results.get(name)!;
      const share = median(
        runs.map((run, index) => run.requestsPerSecond / off[index].requestsPerSecond),
      );
      console.log(
        `| ${name} | ${Math.round(median(runs.map((r) => r.requestsPerSecond)))} | ${median(runs.map((r) => r.p50)).toFixed(1)} | ${median(runs.map((r) => r.p99)).toFixed(1)} | ${Math.round(median(runs.map((r) => r.cpuPerRequest)))} | ${share.toFixed(3)} |`,
      );
    }
    console.log(`(the OTLP receiver took ${sink.exports()} exports)`);

    // The CSV export, from the service with metrics on.
    const exporter = services[1];
    const before = memoryMb(exporter.child.pid!).rss;
    let peak = before;
    const sampler = setInterval(
      () => (peak = Math.max(peak, memoryMb(exporter.child.pid!).rss)),
      10,
    );
    const started = performance.now();
    const response = await fetch(`${exporter.url}/beta/managedTenantOperations?$format=csv`, {
      headers,
    });
    if (response.status !== 200) throw new Error(`The export answered ${response.status}`);
    let bytes = 0;
    let lines = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const byte of value) if (byte === 10) lines += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    console.log(
      `\nCSV export: ${lines - 1} rows (${(bytes / 2 ** 20).toFixed(1)} MB) in ${seconds.toFixed(2)} s: ${Math.round((lines - 1) / seconds)} rows/s; service RSS ${Math.round(before)} MB before, ${Math.round(peak)} MB at its peak while writing`,
    );
  } finally {
    for (const child of running) await stopProcess(child);
    sink.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
