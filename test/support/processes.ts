import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

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
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let printed = '';
  child.stdout!.on('data', (chunk) => (printed += chunk));
  child.stderr!.on('data', (chunk) => (printed += chunk));
  for (const deadline = Date.now() + 60_000; !printed.includes('Serving http://');) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The service did not start: ${printed}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { child, exited, output: () => printed };
}
