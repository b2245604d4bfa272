import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { NotificationUrlPolicy } from './notification-urls';
import { WebhookClient } from './webhook-client';

/** A policy whose URL rules let everything through: only the connection-time lookup checks. */
class UrlRulesOff extends NotificationUrlPolicy {
  override checkSyntax(text: string): URL {
    return new URL(text);
  }
}

describe('WebhookClient', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      if (request.url === '/redirect') {
        response.writeHead(307, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      } else if (request.url === '/slow') {
        setTimeout(() => response.writeHead(202).end(), 1_000);
      } else {
        response.writeHead(202, { 'content-type': 'text/plain' }).end('ok');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('refuses at connection a name that resolves to an internal address, whatever the URL check said', async () => {
    const client = new WebhookClient(new UrlRulesOff([]));
    try {
      const answer = await client.post(
        new URL(`http://localhost:${port}/x`),
        '{}',
        'application/json',
        2_000,
      );
      expect(answer).toEqual({ kind: 'failed', reason: expect.stringMatching(/not sent to/) });
      expect(seen).not.toContain('/x');
    } finally {
      await client.close();
    }
  });

  it('connects to a listed host, follows no redirect, and gives up after the time-out', async () => {
    const client = new WebhookClient(new NotificationUrlPolicy(['localhost', '127.0.0.1']));
    try {
      const base = `http://localhost:${port}`;
      expect(
        await client.post(new URL(`${base}/x`), '{}', 'application/json', 2_000),
      ).toMatchObject({
        kind: 'answered',
        status: 202,
        body: 'ok',
      });
      expect(
        await client.post(new URL(`${base}/redirect`), '{}', 'application/json', 2_000),
      ).toMatchObject({
        kind: 'answered',
        status: 307,
      });
      expect(seen).not.toContain('/elsewhere');
      expect(await client.post(new URL(`${base}/slow`), '{}', 'application/json', 200)).toEqual({
        kind: 'failed',
        reason: 'no answer within 0.2 seconds',
      });
    } finally {
      await client.close();
    }
  });
});
