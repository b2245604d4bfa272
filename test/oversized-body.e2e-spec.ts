import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { newOperation } from './support/operation-factory';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { ENTITY_SET, tokenFor } from './support/test-app';

const MiB = 1024 * 1024;

/**
 * A body over the 1 MiB limit gets its 413 even from a client that sends the whole body before it
 * reads the answer (Node's fetch, undici). The service runs in a process of its own, as a client
 * meets it: in one process the timing that loses the answer does not arise.
 */
describe('a body over the limit', () => {
  jest.setTimeout(120_000);
  let folder: string;
  let service: ServiceProcess;
  let baseUrl: string;
  let token: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'mto-oversized-'));
    const port = await freePort();
    const databasePath = join(folder, 'db.sqlite');
    service = await startServiceProcess({ PORT: String(port), DATABASE_PATH: databasePath });
    baseUrl = `http://127.0.0.1:${port}`;
    token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
  });
  afterAll(async () => {
    service.child.kill('SIGTERM');
    await service.exited;
    rmSync(folder, { recursive: true, force: true });
  });

  const oversized = (mebibytes: number) => JSON.stringify({ name: 'x'.repeat(mebibytes * MiB) });

  it('answers 20 oversized POSTs from fetch with 20 × 413 and the OData error body', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const mebibytes = 2 + (i % 7); // 2 to 8 MiB
      try {
        const response = await fetch(`${baseUrl}${ENTITY_SET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: oversized(mebibytes),
        });
        const body = (await response.json()) as { error: { code: string; message: string } };
        outcomes.push(`${response.status} ${body.error.code}: ${body.error.message}`);
      } catch (error) {
        const cause = (error as Error & { cause?: { code?: string } }).cause;
        outcomes.push(`${(error as Error).message} (${cause?.code ?? 'no code'})`);
      }
    }
    expect(outcomes).toEqual(
      Array(20).fill('413 requestTooLarge: The request body is larger than the limit of 1 MiB.'),
    );
  });

  it('keeps serving the same keep-alive connection after a 413', async () => {
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: string) =>
      new Promise<{ status: number; connection?: string; socket: unknown; text: string }>(
        (resolve, reject) => {
          const request = httpRequest(
            `${baseUrl}${path}`,
            {
              method,
              agent,
              headers: {
                authorization: `Bearer ${token}`,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
            },
            (response) => {
              let text = '';
              response.setEncoding('utf8');
              response.on('data', (chunk: string) => (text += chunk));
              response.on('end', () =>
                resolve({
                  status: response.statusCode ?? 0,
                  connection: response.headers.connection,
                  socket: request.socket,
                  text,
                }),
              );
            },
          );
          request.on('error', reject);
          request.end(body);
        },
      );
    try {
      const tooLarge = await send('POST', ENTITY_SET, oversized(3));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.connection).not.toBe('close');
      const created = await send('POST', ENTITY_SET, JSON.stringify(newOperation()));
      expect(created.status).toBe(201);
      // The same socket carried both: the connection survived the 413.
      expect(created.socket).toBe(tooLarge.socket);
    } finally {
      agent.destroy();
    }
  });

  it('closes the connection (Connection: close) when the declared body is beyond what it reads to throw away', async () => {
    const response = await new Promise<{ status: number; connection?: string }>((resolve) => {
      const request = httpRequest(
        `${baseUrl}${ENTITY_SET}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': String(64 * MiB),
          },
        },
        (answer) => {
          answer.resume();
          resolve({ status: answer.statusCode ?? 0, connection: answer.headers.connection });
        },
      );
      request.on('error', () => undefined);
      // Headers only: the service answers from Content-Length without waiting for 64 MiB.
      request.flushHeaders();
    });
    expect(response).toEqual({ status: 413, connection: 'close' });
  });
});
