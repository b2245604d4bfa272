import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { newOperation } from './support/operation-factory';
import { freePort, startServiceProcess } from './support/processes';
import { tokenFor } from './support/test-app';

describe('graceful shutdown', () => {
  jest.setTimeout(120_000);

  it('answers every in-flight request completely on SIGTERM, closes the database and exits 0', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-shutdown-'));
    const port = await freePort();
    const databasePath = join(folder, 'db.sqlite');
    const service = await startServiceProcess({
      LOG_LEVEL: 'debug',
      PORT: String(port),
      DATABASE_PATH: databasePath,
    });
    const child = service.child;
    const output = service.output;
    const exited = service.exited;
    try {
      const token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
      // Batches of 20 writes each: long enough to be in flight when the signal comes.
      const batch = () => ({
        requests: Array.from({ length: 20 }, (_, i) => ({
          id: String(i),
          method: 'POST',
          url: '/managedTenantOperations',
          body: newOperation(),
        })),
      });
      const inFlight = Array.from({ length: 8 }, () =>
        fetch(`http://127.0.0.1:${port}/beta/$batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(batch()),
        }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { responses: Array<{ status: number }> },
        })),
      );
      // Signal once the server has received every batch (its debug log says so), so that all are in flight.
      const received = () =>
        (output().match(/"method":"POST","path":"\/beta\/\$batch","msg":"request received"/g) ?? [])
          .length;
      while (received() < 8) await new Promise((done) => setTimeout(done, 5));
      child.kill('SIGTERM');
      const answers = await Promise.all(inFlight);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.responses.map((response) => response.status)).toEqual(
          Array(20).fill(201),
        );
      }
      expect(await exited).toBe(0);
      expect(output()).toContain('Stopped cleanly.');
      // Every answered request has its line on stdout, written before the process exited.
      const completed = output()
        .split('\n')
        .filter((line) => line.includes('"msg":"request completed"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.route === '/beta/$batch');
      expect(completed).toHaveLength(8);
      for (const entry of completed) {
        expect(entry).toMatchObject({ level: 'info', method: 'POST', status: 200 });
        expect(entry.requestId).toEqual(expect.any(String));
        expect(entry.tenant).toEqual(expect.any(String));
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
