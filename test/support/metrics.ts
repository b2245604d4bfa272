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
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await metricOf(app, name, labels);
    if (value >= least || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
