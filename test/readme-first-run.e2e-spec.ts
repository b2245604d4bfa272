import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/processes';
import { describeOnSqlite } from './support/test-database';

const ROOT = resolve(__dirname, '..');

/** The shell block that follows `<!-- first-run -->` in the README, as a reader copies it. */
export function firstRunBlock(readme: string): string {
  const marker = readme.indexOf('<!-- first-run -->');
  if (marker < 0) throw new Error('The README has no <!-- first-run --> block.');
  const block = /```sh\n([^]*?)\n```/.exec(readme.slice(marker));
  if (!block) throw new Error('No ```sh block follows <!-- first-run -->.');
  return block[1];
}

jest.setTimeout(240_000);

// The block starts the service on its embedded SQLite file, whatever database the run uses.
describeOnSqlite("the README's first run", () => {
  it('works as pasted into a shell on a machine with Node, npm and curl', async () => {
    const [servicePort, simulatorPort] = [await freePort(), await freePort()];
    // Only the ports change (this machine may use 3000 and 4010), and the data goes to a folder of
    // the test's own: the commands are the README's.
    const script = firstRunBlock(readFileSync(join(ROOT, 'README.md'), 'utf8'))
      .replaceAll('127.0.0.1:3000', `127.0.0.1:${servicePort}`)
      .replaceAll('PORT=3000', `PORT=${servicePort}`)
      .replaceAll('127.0.0.1:4010', `127.0.0.1:${simulatorPort}`)
      .replaceAll('--port 4010', `--port ${simulatorPort}`);
    expect(script).not.toContain('uuidgen');
    const folder = mkdtempSync(join(tmpdir(), 'mto-first-run-'));
    const shell = spawn('bash', ['-e', '-c', script], {
      cwd: ROOT,
      detached: true,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_PATH: join(folder, 'first-run.sqlite'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const code = await new Promise<number | null>((done) => {
        const timer = setTimeout(() => done(-1), 180_000);
        shell.once('exit', (exit) => {
          clearTimeout(timer);
          done(exit);
        });
      });
      expect({ code, stderr: code === 0 ? '' : stderr.slice(-2_000) }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(stdout).toMatch(/^succeeded: Run 1 succeeded; 5 tenants: 5 succeeded, 0 failed;/m);
      const results = JSON.parse(stdout.slice(stdout.lastIndexOf('{"@odata.context"'))) as {
        value: Array<{ isSuccess: boolean; executionInfo: string }>;
      };
      expect(results.value).toHaveLength(5);
      expect(results.value.every((result) => result.isSuccess)).toBe(true);
    } finally {
      // The block leaves the simulator and the service running, as a reader would want.
      try {
        process.kill(-shell.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await new Promise((done) => setTimeout(done, 500));
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
