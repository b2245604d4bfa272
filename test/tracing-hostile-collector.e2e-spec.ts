import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { freePort, ServiceProcess, startServiceProcess } from './support/processes';
import { ENTITY_SET, tokenFor } from './support/test-app';

const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);

/** What the collector says when it fails: it must never reach the service's log. */
const COLLECTOR_SECRET = 'collector-said-Bearer-eyJhbGciOiJub25lIn0.c2VjcmV0.';
/** How much the collector would send back in `huge` mode. */
const HUGE_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

type Mode = 'hang' | 'huge' | 'redirect' | 'error';

/**
 * An OTLP/HTTP collector that misbehaves in the ways a collector can: it never answers (`hang`),
 * answers with far more than a collector ever says (`huge`), sends the export elsewhere
 * (`redirect`), or fails with a body that quotes a secret (`error`). It counts what it sees.
 */
class HostileCollector {
  mode: Mode = 'hang';
  readonly exports: Record<Mode, number> = { hang: 0, huge: 0, redirect: 0, error: 0 };
  /** Exports the service gave up on while the collector had not answered. */
  abandoned = 0;
  /** Huge answers the service stopped reading before their end. */
  cutShort = 0;
  /** Requests that reached the address a redirect pointed to. */
  redirectedArrivals = 0;
  private readonly held: ServerResponse[] = [];
  private collector?: Server;
  private elsewhere?: Server;
  url = '';
  private elsewhereUrl = '';

  async start(): Promise<void> {
    this.elsewhere = createServer((_request, response) => {
      this.redirectedArrivals += 1;
      response.writeHead(200).end('{}');
    });
    this.elsewhereUrl = await listen(this.elsewhere);
    this.collector = createServer((request, response) => this.answer(request, response));
    this.url = await listen(this.collector);
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const mode = this.mode;
    request.resume();
    request.on('end', () => {
      this.exports[mode] += 1;
      switch (mode) {
        case 'hang':
          this.held.push(response);
          response.on('close', () => {
            if (!response.writableEnded) this.abandoned += 1;
          });
          return;
        case 'huge':
          this.sendHuge(response);
          return;
        case 'redirect':
          response.writeHead(307, { location: `${this.elsewhereUrl}/v1/traces` }).end();
          return;
        case 'error':
          response
            .writeHead(400, { 'content-type': 'text/plain' })
            .end(`rejected: ${COLLECTOR_SECRET}`);
      }
    });
  }

  private sendHuge(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    let closed = false;
    response.on('close', () => {
      closed = true;
      if (sent < HUGE_BYTES) this.cutShort += 1;
    });
    response.on('error', () => undefined);
    const pump = (): void => {
      while (!closed && sent < HUGE_BYTES) {
        sent += CHUNK.length;
        if (!response.write(CHUNK)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!closed) response.end();
    };
    pump();
  }

  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    await Promise.all(
      [this.collector, this.elsewhere].map((server) => new Promise((done) => server?.close(done))),
    );
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}

/**
 * A trace collector is an outside system the service sends to on its own: whatever it does, the
 * API keeps answering, an export has a deadline and a cap on what is read back, a redirect is not
 * followed, what the collector says is not logged, and a stop is not held up by it.
 */
(ON_POSTGRES ? describe.skip : describe)('Traces sent to a collector that misbehaves', () => {
  jest.setTimeout(120_000);
  const collector = new HostileCollector();
  let service: ServiceProcess;
  let folder: string;
  let base: string;
  let token: string;

  const read = () =>
    fetch(`${base}${ENTITY_SET}?$top=1`, { headers: { authorization: `Bearer ${token}` } });

  /** Requests (each a span) until the collector has seen `count` exports in `mode`. */
  async function exportIn(mode: Mode, count = 1): Promise<void> {
    collector.mode = mode;
    const before = collector.exports[mode];
    const answered = await until(() => collector.exports[mode] >= before + count, 0);
    for (let i = 0; !answered && collector.exports[mode] < before + count; i += 1) {
      const response = await read();
      expect(response.status).toBe(200);
      if (i > 400) throw new Error(`no export reached the collector in ${mode} mode`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  beforeAll(async () => {
    await collector.start();
    folder = mkdtempSync(join(tmpdir(), 'mto-hostile-collector-'));
    const port = await freePort();
    const databasePath = join(folder, 'traced.sqlite');
    service = await startServiceProcess({
      PORT: String(port),
      DATABASE_PATH: databasePath,
      LOG_PRETTY: '0',
      LOG_LEVEL: 'debug',
      ENGINE_ENABLED: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_BSP_MAX_QUEUE_SIZE: '64',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    base = `http://127.0.0.1:${port}`;
    token = await tokenFor(loadConfig({ DATABASE_PATH: databasePath }), {});
  });
  afterAll(async () => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await service.exited;
    await collector.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps answering while the collector never answers, and gives each export up at its deadline', async () => {
    await exportIn('hang', 2);
    const results = await Promise.all(Array.from({ length: 20 }, () => read()));
    expect(results.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(await until(() => collector.abandoned >= 1)).toBe(true);
  });

  it('stops reading an answer far larger than a collector sends', async () => {
    await exportIn('huge');
    expect(await until(() => collector.cutShort >= 1)).toBe(true);
    expect((await read()).status).toBe(200);
  });

  it('does not follow a redirect to another address', async () => {
    await exportIn('redirect', 3);
    await new Promise((done) => setTimeout(done, 500));
    expect(collector.redirectedArrivals).toBe(0);
    expect((await read()).status).toBe(200);
  });

  it('logs nothing of what a failing collector says, and stops on time while it hangs', async () => {
    await exportIn('error', 2);
    await exportIn('hang');
    // Spans still waiting when the stop begins are offered to the hanging collector once.
    for (let i = 0; i < 5; i += 1) expect((await read()).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output()).toContain('"msg":"request completed"');
    expect(service.output()).not.toContain(COLLECTOR_SECRET);
  });
});
