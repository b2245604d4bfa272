import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { appendToRunLog } from './run-log';

const ROOT = resolve(__dirname, '..', '..');

/** A TCP port that was free a moment ago, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Settles with the exit code (listened for from the start, so it is never missed). */
  readonly exited: Promise<number | null>;
  /** Everything the process printed so far. */
  output(): string;
}

/**
 * Starts src/main.ts in a process of its own, as `npm start` runs the build, with `env` on top of
 * this process's environment, and waits until it logs that it serves.
 */
export async function startServiceProcess(
  env: NodeJS.ProcessEnv,
  cwd = ROOT,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')],
    {
      cwd,
      env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  // What the process logged joins the e2e run's log, which test/log-scan.e2e-spec.ts reads.
  const exited = new Promise<number | null>((done) =>
    // 'close', not 'exit': by then everything the process printed has been read.
    child.once('close', (code) => {
      appendToRunLog(printed);
      done(code);
    }),
  );
  child.stdout!.on('data', (chunk) => (printed += chunk));
  child.stderr!.on('data', (chunk) => (printed += chunk));
  for (const deadline = Date.now() + 60_000; !/Serving https?:\/\//.test(printed);) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The service did not start: ${printed}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { child, exited, output: () => printed };
}
