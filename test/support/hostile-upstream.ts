import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { noteSecret } from './run-log';

/**
 * A Graph endpoint and token endpoint on loopback that misbehave as each test says: answers that
 * trickle, never come, never end, echo secrets or nest without end. By default it behaves: the
 * token endpoint issues a token per tenant, and Graph answers `{"value":[]}`.
 */
export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: UpstreamRequest, response: ServerResponse) => void;

export interface HostileUpstream {
  readonly url: string;
  /** Every request, in order. */
  readonly requests: UpstreamRequest[];
  /** Token requests, by path. */
  readonly tokenPaths: string[];
  /** Graph requests in flight now. */
  inFlight(): number;
  graph: Handler;
  token: Handler;
  close(): Promise<void>;
}

/** The token the default token endpoint issues for a tenant (a secret the service must hide). */
export function issuedToken(tenant: string): string {
  return `issued-token-for-${tenant}`;
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Headers, `{"value":[`, then a byte every `everyMs` until the client goes. */
export const trickle =
  (everyMs = 200): Handler =>
  (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"value":[');
    const timer = setInterval(() => response.write(' '), everyMs);
    response.on('close', () => clearInterval(timer));
  };

/** Never answers (until the client goes). */
export const silent: Handler = () => undefined;

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const requests: UpstreamRequest[] = [];
  const tokenPaths: string[] = [];
  let inFlight = 0;
  const upstream = {
    requests,
    tokenPaths,
    inFlight: () => inFlight,
    graph: ((_, response) => json(response, 200, { value: [] })) as Handler,
    token: ((request, response) => {
      const tenant = request.path.split('/')[1];
      noteSecret(issuedToken(tenant));
      json(response, 200, { access_token: issuedToken(tenant), expires_in: 3600 });
    }) as Handler,
  };
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: UpstreamRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      if (/\/oauth2\/v2\.0\/token$/.test(new URL(request.path, 'http://x').pathname)) {
        tokenPaths.push(request.path);
        upstream.token(request, response);
        return;
      }
      inFlight += 1;
      response.on('close', () => (inFlight -= 1));
      upstream.graph(request, response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(upstream, {
    url,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });
}
