/**
 * npm run bench [-- --rows 10000 --duration 5 --rounds 3 --warmup 1 --connections 50 --only b,d
 *                   --heap 128 --profile DIR --no-cap --nest --against REF]
 *
 * Builds, fills a fresh SQLite database (operations, and five results each), starts the service
 * (production build, loopback), the bare Fastify + better-sqlite3 baseline (bench/baseline) and
 * the SAP CAP peer (bench/peers/cap, installed there on first use) on copies of it, and loads them
 * with autocannon, alternately, scenario by scenario, round by round, after a warm-up of each that
 * is not measured. Prints requests/s, p50 and p99 for each, the service/baseline and service/CAP
 * throughput ratios (the medians of the per-round ratios), each server's CPU time per request, the
 * service's peak RSS and any non-2xx answer. Not a test: compare the ratios within one run.
 */
import 'reflect-metadata';
import { ChildProcess, execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';
import { freePort } from '../test/support/processes';
import {
  argument,
  LoadResult,
  loadWith,
  median,
  memoryMb,
  startBenchService,
  startProcess,
  stopProcess,
} from './service-process';
import { benchNotifications, printNotificationFigures } from './notifications-bench';
import { BENCH_TENANT, benchToken } from './synthetic-operations';
import { fillDatabase } from './fill-database';
import { AgainstBuild } from './against-build';
import { developmentKeyPath } from '../src/auth/development-issuer';

/** Results per operation, for (f). */
const RESULTS_PER_OPERATION = 5;

const ROOT = resolve(__dirname, '..');

const ROWS = argument('rows', 10_000);
const DURATION = argument('duration', 5);
const ROUNDS = argument('rounds', 3);
/** Seconds of load per scenario and target before the first round, not measured (JIT, caches). */
const WARMUP = argument('warmup', 1);
const CONNECTIONS = argument('connections', 50);
/** `--heap 128`: the service runs with V8's old space capped at that many MB. */
const HEAP_MB = argument('heap', 0);
/**
 * `--profile DIR`: the service and the baseline run under `node --cpu-prof` and write their
 * profiles there on exit (service.cpuprofile, baseline.cpuprofile), to compare where each spends.
 */
const PROFILE_DIR = (() => {
  const index = process.argv.indexOf('--profile');
  return index >= 0 ? resolve(process.argv[index + 1]) : undefined;
})();
function profiling(name: string): string[] {
  return PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
}
/**
 * `--no-cap`: leave out the SAP CAP peer (bench/peers/cap), which otherwise is installed into its
 * own folder on first use (`npm ci` there, a few minutes) and loaded like the others.
 */
const WITH_CAP = !process.argv.includes('--no-cap');
/**
 * `--nest`: a fourth server, the baseline's answers served by NestJS on its Fastify adapter with
 * nothing of the service's own (bench/baseline/nest-server.ts), loaded like the others: what the
 * framework costs, apart from what the service does with it.
 */
const WITH_NEST = process.argv.includes('--nest');
/**
 * `--against REF`: a fifth server, another commit of the service (a branch, a tag, `HEAD~1`)
 * built in a git worktree of its own and loaded in turn with this build, round by round; the
 * table then says what this build does per scenario against it (the median of the per-round
 * ratios). For a change that keeps the database's schema: the commit runs on a copy of the
 * database this build filled.
 */
const AGAINST = (() => {
  const index = process.argv.indexOf('--against');
  return index >= 0 ? process.argv[index + 1] : undefined;
})();
const CAP_PEER = join(ROOT, 'bench/peers/cap');

function ensureCapPeer(): void {
  if (existsSync(join(CAP_PEER, 'node_modules/@sap/cds/package.json'))) return;
  console.log('Installing the CAP peer (bench/peers/cap, first use)…');
  execSync('npm ci --no-audit --no-fund', { cwd: CAP_PEER, stdio: 'inherit' });
}

/** `--only b,d`: just those scenarios, for a quick comparison while profiling. */
const ONLY = (() => {
  const index = process.argv.indexOf('--only');
  return index >= 0 ? process.argv[index + 1].split(',') : undefined;
})();

interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/**
 * The ratio means something only if both answer alike: the same status, header names and body
 * (but for the host in URLs, fresh request-ids and the baseline's own $skiptoken). Throws if not.
 */
async function expectSameAnswers(
  targets: { service: Target; baseline: Target; nest?: Target },
  paths: string[],
): Promise<void> {
  const answer = async ({ url, headers }: Target, path: string) => {
    const response = await fetch(`${url}${path}`, { headers });
    const text = (await response.text()).replaceAll(url, 'http://host');
    const body = JSON.parse(text) as Record<string, unknown>;
    delete body['@odata.nextLink'];
    const names = [...response.headers.keys()].filter(
      (name) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name),
    );
    return JSON.stringify({ status: response.status, names: names.sort(), body });
  };
  for (const path of paths) {
    const [service, baseline] = [
      await answer(targets.service, path),
      await answer(targets.baseline, path),
    ];
    if (service !== baseline)
      throw new Error(`service and baseline answer ${path} differently:\n${service}\n${baseline}`);
    const nest = targets.nest && (await answer(targets.nest, path));
    if (nest !== undefined && nest !== baseline)
      throw new Error(
        `NestJS and bare baselines answer ${path} differently:\n${nest}\n${baseline}`,
      );
  }
}

const EXPAND_PATH = '/beta/managedTenantOperations?$expand=results($top=5)&$top=20';

async function main(): Promise<void> {
  console.log('Building…');
  execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const folder = mkdtempSync(join(tmpdir(), 'mto-bench-'));
  const processes: ChildProcess[] = [];
  let againstBuild: AgainstBuild | undefined;
  try {
    if (AGAINST) {
      console.log(`Building ${AGAINST} in a worktree…`);
      againstBuild = AgainstBuild.prepare(AGAINST, folder);
    }
    const serviceDb = join(folder, 'service.sqlite');
    const baselineDb = join(folder, 'baseline.sqlite');
    console.log(`Filling ${ROWS} rows…`);
    const { ids, seconds } = await fillDatabase(serviceDb, ROWS, RESULTS_PER_OPERATION);
    copyFileSync(serviceDb, baselineDb);
    const nestDb = join(folder, 'nest.sqlite');
    if (WITH_NEST) copyFileSync(serviceDb, nestDb);
    const capSourceDb = join(folder, 'cap-source.sqlite');
    copyFileSync(serviceDb, capSourceDb);
    const againstDb = join(folder, 'against.sqlite');
    const config = loadConfig({ DATABASE_PATH: serviceDb });
    const token = await benchToken(config);
    if (againstBuild) {
      // The same database and the same development issuer's key: the same token for both builds.
      copyFileSync(serviceDb, againstDb);
      copyFileSync(developmentKeyPath(serviceDb), developmentKeyPath(againstDb));
    }

    const baselinePort = await freePort();
    const { child: service, port: servicePort } = await startBenchService(
      { DATABASE_PATH: serviceDb },
      [...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []), ...profiling('service')],
    );
    processes.push(service);
    const baseline = await startProcess(
      process.execPath,
      [
        ...profiling('baseline'),
        join(ROOT, 'bench/baseline/server.js'),
        baselineDb,
        String(baselinePort),
      ],
      { BENCH_TENANT },
      'baseline ready',
    );
    processes.push(baseline);
    let nest: ChildProcess | undefined;
    const nestPort = await freePort();
    if (WITH_NEST) {
      nest = await startProcess(
        process.execPath,
        [
          ...profiling('nest'),
          '-r',
          join(ROOT, 'node_modules/ts-node/register/transpile-only'),
          join(ROOT, 'bench/baseline/nest-server.ts'),
          nestDb,
          String(nestPort),
        ],
        { BENCH_TENANT, NODE_ENV: 'production', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
        'nest baseline ready',
      );
      processes.push(nest);
    }
    let cap: ChildProcess | undefined;
    const capPort = await freePort();
    if (WITH_CAP) {
      ensureCapPeer();
      cap = await startProcess(
        process.execPath,
        [
          ...profiling('cap'),
          join(CAP_PEER, 'start.js'),
          capSourceDb,
          join(folder, 'cap.sqlite'),
          String(capPort),
        ],
        { NODE_ENV: 'production' },
        'cap peer ready',
      );
      processes.push(cap);
    }
    let against: ChildProcess | undefined;
    let againstPort = 0;
    if (againstBuild) {
      ({ child: against, port: againstPort } = await startBenchService(
        { DATABASE_PATH: againstDb },
        [...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []), ...profiling('against')],
        againstBuild.root,
      ));
      processes.push(against);
    }

    const targets = {
      service: {
        pid: service.pid!,
        url: `http://127.0.0.1:${servicePort}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      baseline: {
        pid: baseline.pid!,
        url: `http://127.0.0.1:${baselinePort}`,
        headers: { 'content-type': 'application/json' },
      },
      nest: {
        pid: nest?.pid ?? 0,
        url: `http://127.0.0.1:${nestPort}`,
        headers: { 'content-type': 'application/json' },
      },
      cap: {
        pid: cap?.pid ?? 0,
        url: `http://127.0.0.1:${capPort}`,
        headers: { 'content-type': 'application/json' },
      },
      against: {
        pid: against?.pid ?? 0,
        url: `http://127.0.0.1:${againstPort}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
    };
    const targetNames = (['service', 'against', 'baseline', 'nest', 'cap'] as const).filter(
      (name) =>
        (name !== 'nest' || WITH_NEST) &&
        (name !== 'cap' || WITH_CAP) &&
        (name !== 'against' || againstBuild),
    );
    // (d): the first page's nextLink, per target.
    const nextLinks: Record<string, string> = {};
    for (const name of targetNames.filter((target) => target !== 'cap')) {
      const target = targets[name];
      const first =
        name === 'service' || name === 'against'
          ? '/beta/managedTenantOperations?$orderby=createdDateTime%20desc&$top=50'
          : '/beta/managedTenantOperations?$top=25';
      const body = (await (
        await fetch(`${target.url}${first}`, {
          headers: { ...target.headers, prefer: 'odata.maxpagesize=25' },
        })
      ).json()) as { '@odata.nextLink': string };
      nextLinks[name] = `/beta/${body['@odata.nextLink']}`;
    }
    // CAP pages by $skip (its nextLinks do too): the second page of 25 in the same order.
    nextLinks.cap =
      '/beta/managedTenantOperations?$orderby=createdDateTime%20desc&$top=25&$skip=25';
    await expectSameAnswers({ ...targets, nest: WITH_NEST ? targets.nest : undefined }, [
      `/beta/managedTenantOperations/${ids[0]}`,
      "/beta/managedTenantOperations?$filter=status%20eq%20'status-3'&$top=50",
      EXPAND_PATH,
    ]);
    const body = { ...seedExampleRequest };
    // CAP's default OData flavour takes structured values flattened (`result_isSuccess`); the
    // seed's complex values hold nothing but their @odata.type, so they flatten to nothing.
    const capBody = Object.fromEntries(
      Object.entries(seedExampleRequest).filter(([, value]) => typeof value !== 'object'),
    );
    const scenarios: Array<[string, (target: string) => Record<string, unknown>]> = [
      [
        '(a) POST the seed example',
        (target) => ({
          method: 'POST',
          path: '/beta/managedTenantOperations',
          body: target === 'cap' ? capBody : body,
          freshRequestId: true,
        }),
      ],
      [
        '(b) GET by key',
        () => ({
          method: 'GET',
          path: '/beta',
          paths: ids.map((id) => `/beta/managedTenantOperations/${id}`),
        }),
      ],
      [
        "(c) $filter=status eq 'x'&$top=50",
        () => ({
          method: 'GET',
          path: "/beta/managedTenantOperations?$filter=status%20eq%20'status-3'&$top=50",
        }),
      ],
      [
        '(d) $orderby=createdDateTime desc, one nextLink',
        (target) => ({
          method: 'GET',
          path: nextLinks[target],
          headers: { prefer: 'odata.maxpagesize=25' },
        }),
      ],
      ['(f) $expand=results($top=5)&$top=20', () => ({ method: 'GET', path: EXPAND_PATH })],
      [
        '(e) PATCH one property',
        () => ({
          method: 'PATCH',
          path: '/beta',
          paths: ids.map((id) => `/beta/managedTenantOperations/${id}`),
          body: { status: 'patched' },
        }),
      ],
    ];

    const results: Record<
      string,
      Record<'service' | 'baseline' | 'nest' | 'cap' | 'against', LoadResult[]>
    > = {};
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [name, scenario] of scenarios) {
        if (ONLY && !ONLY.some((letter) => name.startsWith(`(${letter})`))) continue;
        results[name] ??= { service: [], baseline: [], nest: [], cap: [], against: [] };
        // Each round starts with the next target: a target's place in the round (what ran just
        // before it) then weighs on every target alike.
        const order = targetNames.map((_, i) => targetNames[(i + round - 1) % targetNames.length]);
        for (const target of order) {
          const spec = scenario(target);
          const run = (duration: number) =>
            loadWith({
              ...spec,
              connections: CONNECTIONS,
              duration,
              pid: targets[target].pid,
              url: targets[target].url,
              headers: { ...targets[target].headers, ...(spec.headers as object) },
            });
          if (round === 1 && WARMUP > 0) await run(WARMUP);
          const result = await run(DURATION);
          results[name][target].push(result);
          console.log(
            `round ${round} ${name} ${target}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99} ms, ${result.cpuPerRequest.toFixed(0)} µs CPU/request${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`,
          );
        }
      }
    }

    console.log(
      `\n${ROWS} rows (filled in ${seconds.toFixed(1)} s); ${ROUNDS} rounds of ${DURATION} s per scenario and target, ${CONNECTIONS} connections; Node ${process.version}\n`,
    );
    console.log(
      '| scenario | service req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio | non-2xx | CPU µs/request, service / baseline |' +
        (WITH_CAP ? ' CAP req/s | p99 ms | × CAP | CAP non-2xx |' : '') +
        (WITH_NEST ? ' NestJS req/s | NestJS / baseline | service / NestJS |' : '') +
        (againstBuild
          ? ` ${againstBuild.commit} req/s | service / ${againstBuild.commit} | CPU µs/request, ${againstBuild.commit} | ${againstBuild.commit} non-2xx |`
          : ''),
    );
    console.log(
      `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${WITH_CAP ? '---:|---:|---:|---:|' : ''}${WITH_NEST ? '---:|---:|---:|' : ''}${againstBuild ? '---:|---:|---:|---:|' : ''}`,
    );
    const failures = (runs: LoadResult[]) =>
      runs.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);
    const ratioOf = (a: LoadResult[], b: LoadResult[]) =>
      median(a.map((result, i) => result.requestsPerSecond / b[i].requestsPerSecond));
    for (const [name, runs] of Object.entries(results)) {
      const { service: s, baseline: b, nest: n, cap: c, against: a } = runs;
      console.log(
        `| ${name} | ${median(s.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(s.map((r) => r.p50))} | ${median(s.map((r) => r.p99))} | ` +
          `${median(b.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(b.map((r) => r.p50))} | ${median(b.map((r) => r.p99))} | ${ratioOf(s, b).toFixed(2)} | ${failures(s)} | ` +
          `${median(s.map((r) => r.cpuPerRequest)).toFixed(0)} / ${median(b.map((r) => r.cpuPerRequest)).toFixed(0)} |` +
          (WITH_CAP
            ? ` ${median(c.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(c.map((r) => r.p99))} | ${ratioOf(s, c).toFixed(2)} | ${failures(c)} |`
            : '') +
          (WITH_NEST
            ? ` ${median(n.map((r) => r.requestsPerSecond)).toFixed(0)} | ${ratioOf(n, b).toFixed(2)} | ${ratioOf(s, n).toFixed(2)} |`
            : '') +
          (againstBuild
            ? ` ${median(a.map((r) => r.requestsPerSecond)).toFixed(0)} | ${ratioOf(s, a).toFixed(2)} | ${median(a.map((r) => r.cpuPerRequest)).toFixed(0)} | ${failures(a)} |`
            : ''),
      );
    }
    console.log(
      `\nService peak RSS: ${memoryMb(service.pid!).peak.toFixed(0)} MB (target: under 250 MB)`,
    );
    console.log(
      'Targets, on 1,000 operations (--rows 1000) as on 10,000: every scenario at least 0.5 of the baseline and 3 times CAP; p99 of (b) under 20 ms; no non-2xx answers.',
    );
    const missed = Object.entries(results).flatMap(
      ([name, { service: s, baseline: b, cap: c }]) => [
        ...(ratioOf(s, b) < 0.5 ? [`${name}: ${ratioOf(s, b).toFixed(2)} of the baseline`] : []),
        ...(WITH_CAP && ratioOf(s, c) < 3
          ? [`${name}: ${ratioOf(s, c).toFixed(2)} times CAP`]
          : []),
        ...(name.startsWith('(b)') && median(s.map((r) => r.p99)) >= 20
          ? [`${name}: p99 ${median(s.map((r) => r.p99))} ms`]
          : []),
        ...(failures(s) > 0 ? [`${name}: ${failures(s)} non-2xx or failed requests`] : []),
      ],
    );
    console.log(missed.length ? `Missed: ${missed.join('; ')}.` : 'Every target above is met.');
  } finally {
    // Waiting for the exits keeps reading their output to the end (and lets --cpu-prof write).
    await Promise.all(processes.map(stopProcess));
    againstBuild?.remove();
    rmSync(folder, { recursive: true, force: true });
  }
  // Change notifications, on a service of their own once the others have stopped.
  if (!ONLY || ONLY.includes('notifications')) {
    printNotificationFigures(
      await benchNotifications({
        writes: 5_000,
        connections: CONNECTIONS,
        spaced: 200,
        build: false,
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
