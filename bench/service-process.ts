import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/support/processes';

const ROOT = resolve(__dirname, '..');

/**
 * The arguments `npm start` gives node (its V8 flags and the built entry point), so that the bench
 * and the soak measure the service as it is run.
 */
export function serviceArguments(root = ROOT): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`npm start does not run node: ${scripts.start}`);
  return args.map((arg) => (arg.startsWith('-') ? arg : join(root, arg)));
}

/** The service as a bench runs it. */
export interface BenchService {
  readonly child: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
}

/**
 * Starts the service as the benches measure it: `npm start`'s node flags and built entry point
 * (after `nodeArgs`: profiling, a heap cap), in production mode on a free loopback port (or
 * `env.PORT`), with throttling out of the way; `env` adds to that or overrides it (the database,
 * the engine, the upstreams). Resolves when it serves.
 */
export async function startBenchService(
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
  /** The checkout whose build runs (another commit's worktree, for `--against`). */
  root = ROOT,
): Promise<BenchService> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = await startProcess(
    process.execPath,
    [...nodeArgs, ...serviceArguments(root)],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      THROTTLE_LIMIT: '1000000000',
      ...env,
      PORT: String(port),
    },
    'Serving http',
  );
  return { child, port, url: `http://127.0.0.1:${port}` };
}

/** Where the servers' output goes while a bench runs: one file per process, gone at exit. */
const outputFolder = (() => {
  let folder: string | undefined;
  return () => {
    if (!folder) {
      const made = mkdtempSync(join(tmpdir(), 'bench-output-'));
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      folder = made;
    }
    return folder;
  };
})();
const outputFiles = new WeakMap<ChildProcess, string>();
let outputCount = 0;

/**
 * Starts a server process for the bench or the soak and waits until its output says `ready`.
 *
 * Its stdout and stderr go to a file, as an operator's `npm start > service.log` would, not
 * through a pipe to this process: reading a busy service's log lines here took a share of the
 * machine's two cores from the service while it was measured, and none from the baselines,
 * which log nothing (docs/performance.md).
 */
export async function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
): Promise<ChildProcess> {
  outputCount += 1;
  const file = join(outputFolder(), `${outputCount}.log`);
  const descriptor = openSync(file, 'a');
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', descriptor, descriptor],
  });
  closeSync(descriptor);
  outputFiles.set(child, file);
  const deadline = Date.now() + 60_000;
  while (!readFileSync(file, 'utf8').includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${command} did not start: ${readFileSync(file, 'utf8').slice(0, 20_000)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return child;
}

/**
 * What bench/memory-probe.js reported as the process stopped, in MB: the most V8 heap in use
 * (`used`, garbage included) and the most in use just after a full collection (`live`).
 */
export function probedPeakHeapMb(child: ChildProcess): { used: number; live: number } | undefined {
  const file = outputFiles.get(child);
  const probe =
    file && /memory-probe peakHeapUsed=(\d+) peakLiveHeap=(\d+)/.exec(lastBytesOf(file, 65_536));
  return probe ? { used: Number(probe[1]) / 1048576, live: Number(probe[2]) / 1048576 } : undefined;
}

/** The end of a file (a service's log can be large by the time it stops). */
function lastBytesOf(file: string, count: number): string {
  const descriptor = openSync(file, 'r');
  try {
    const size = fstatSync(descriptor).size;
    const buffer = Buffer.alloc(Math.min(count, size));
    readSync(descriptor, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}

/** SIGTERM, then the exit (SIGKILL after 20 s). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process now (`VmRSS`) and at its peak so far (`VmHWM`), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Clock ticks per second, the unit of the CPU times in `/proc/<pid>/stat`. */
const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time a process has used so far, in all its threads (user and system: fields 14 and 15 of
 * `/proc/<pid>/stat`), in microseconds. Its resolution is a clock tick (10 ms), so it means
 * something over a run of seconds, not per request.
 */
export function cpuMicroseconds(pid: number): number {
  // The command name (field 2) is in parentheses and may contain spaces: count after it.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/** A numeric `--name value` option of the bench's command line. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests answered in the run. */
  total: number;
  /** The server's CPU time (all threads) over the run, per request answered, in µs. */
  cpuPerRequest: number;
}

/**
 * One autocannon run (bench/load.js) in a process of its own, against the server `pid`.
 * Asynchronous on purpose: the orchestrator's event loop must keep reading the service's log
 * output meanwhile, as a log collector would. (A blocked reader fills the pipe, and the service
 * then holds every log line of the run in memory, which is the reader's cost, not the service's.)
 */
export async function loadWith({
  pid,
  ...autocannonSpec
}: { pid: number; connections: number; duration: number } & Record<
  string,
  unknown
>): Promise<LoadResult> {
  const cpuBefore = cpuMicroseconds(pid);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bench/load.js'), JSON.stringify(autocannonSpec)],
    { encoding: 'utf8', maxBuffer: 10 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as Omit<LoadResult, 'cpuPerRequest'>;
  const cpu = cpuMicroseconds(pid) - cpuBefore;
  return { ...result, cpuPerRequest: result.total > 0 ? cpu / result.total : 0 };
}
