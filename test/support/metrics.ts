import { TestApp } from './test-app';

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (the lines that are not comments). */
export function samplesOf(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`not a sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value;
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function valueOf(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Scrapes the app's /metrics and sums the samples of `name` with `labels`. */
export async function metricOf(
  app: TestApp,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const scrape = await app.inject({ method: 'GET', url: '/metrics' });
  if (scrape.statusCode !== 200) throw new Error(`/metrics: ${scrape.statusCode}`);
  return valueOf(samplesOf(scrape.body), name, labels);
}

/** Scrapes until the metric reaches `least` (what is counted after an answer lags it a little). */
export async function metricReaching(
  app: TestApp,
  name: string,
  labels: Record<string, string>,
  least: number,
  timeoutMs = 5_000,
): Promise<number> {
  const samples = await scrapeWhen(
    app,
    (scraped) => valueOf(scraped, name, labels) >= least,
    timeoutMs,
  );
  return valueOf(samples, name, labels);
}

/**
 * The samples of a scrape of the app's /metrics once `ready` holds for them, or once `timeoutMs`
 * has passed. The engine counts a run a moment after its operation reads as complete (once the
 * run's own record is closed), so a test that waited for the operation scrapes until it is counted.
 */
export async function scrapeWhen(
  app: TestApp,
  ready: (samples: Sample[]) => boolean,
  timeoutMs = 10_000,
): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const scrape = await app.inject({ method: 'GET', url: '/metrics' });
    if (scrape.statusCode !== 200) throw new Error(`/metrics: ${scrape.statusCode}`);
    const samples = samplesOf(scrape.body);
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((wait) => setTimeout(wait, 50));
  }
}
