/**
 * npm run bench:query [-- --rows 100000 --requests 200]
 *
 * Fills a fresh SQLite database with N operations, starts the service on loopback and times
 * query scenarios with sequential requests, reporting median and p99 latency. Not a test: the
 * figures depend on the machine; compare the ratios within one run.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { managedTenantOperation } from '../src/edm/model';
import { resolve as provided } from '../src/common/typed-token';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { benchToken, syntheticOperation } from './synthetic-operations';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const ROWS = argument('rows', 100_000);
const REQUESTS = argument('requests', 200);
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

let authorization = '';

async function time(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ median: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS + 10; i += 1) {
    const started = performance.now();
    const response = await fetch(url, { headers: { ...headers, authorization } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    if (i >= 10) samples.push(performance.now() - started); // the first 10 warm up
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'mto-bench-'));
  const config = loadConfig({
    DATABASE_PATH: join(folder, 'bench.sqlite'),
    THROTTLE_LIMIT: '1000000000',
    LOG_LEVEL: 'error',
  });
  const app = await createApp(config);
  try {
    const repository = provided(app, entityStoreToken(managedTenantOperation));
    const fillStarted = performance.now();
    const start = Date.UTC(2026, 0, 1);
    for (let offset = 0; offset < ROWS; offset += 10_000) {
      const count = Math.min(10_000, ROWS - offset);
      await repository.insertMany(
        Array.from({ length: count }, (_, i) => syntheticOperation(offset + i, start)),
      );
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    authorization = `Bearer ${await benchToken(config)}`;
    await app.listen(0, '127.0.0.1');
    const base = `${await app.getUrl()}/beta/managedTenantOperations`;
    const q = (query: string) => `${base}?${query.replace(/ /g, '%20')}`;

    // (c): walk to the 100th page once, then time that page.
    const pageUrl = q("$filter=status eq 'status-3'");
    let link = pageUrl;
    let pageNumber = 1;
    for (; pageNumber < 100; pageNumber += 1) {
      const body = (await (
        await fetch(link, { headers: { Prefer: 'odata.maxpagesize=50', authorization } })
      ).json()) as {
        '@odata.nextLink'?: string;
      };
      if (!body['@odata.nextLink']) break;
      link = `${base.replace(/managedTenantOperations$/, '')}${body['@odata.nextLink']}`;
    }
    const pageHeaders = { Prefer: 'odata.maxpagesize=50' };

    const scenarios: Array<[string, string, Record<string, string>?]> = [
      ["(a) $filter=status eq 'x'&$top=50", q("$filter=status eq 'status-3'&$top=50")],
      [
        '(b) (a) with $orderby=createdDateTime desc',
        q("$filter=status eq 'status-3'&$orderby=createdDateTime desc&$top=50"),
      ],
      ['(c0) first page of 50 (maxpagesize)', pageUrl, pageHeaders],
      [`(c) nextLink page ${pageNumber} of 50`, link, pageHeaders],
      [
        '(d) $filter on a complex path, $top=50',
        q('$filter=result/isSuccess eq true and target/allTenants eq false&$top=50'),
      ],
      [
        "(e) /$count?$filter=status eq 'x'",
        `${base}/$count?$filter=${encodeURIComponent("status eq 'status-3'")}`,
      ],
    ];
    const results: Record<string, { median: number; p99: number }> = {};
    console.log(
      `\n${ROWS} rows (filled in ${fillSeconds.toFixed(1)} s), ${REQUESTS} sequential requests per scenario\n`,
    );
    console.log('| scenario | median ms | p99 ms |');
    console.log('|---|---:|---:|');
    for (const [name, url, headers] of scenarios) {
      results[name] = await time(url, headers);
      console.log(
        `| ${name} | ${results[name].median.toFixed(2)} | ${results[name].p99.toFixed(2)} |`,
      );
    }
    const ratio =
      results[`(c) nextLink page ${pageNumber} of 50`].median /
      results['(c0) first page of 50 (maxpagesize)'].median;
    console.log(
      `\npage ${pageNumber} / first page (median): ${ratio.toFixed(2)} (target: at most 2)`,
    );
  } finally {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
