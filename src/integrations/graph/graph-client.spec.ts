import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { CallAttempt, GraphClient, MAX_RESPONSE_BYTES, mayRetry } from './graph-client';

/** A loopback stand-in whose answers each test scripts, one per call. */
describe('GraphClient', () => {
  let server: Server;
  let origin: string;
  let answers: Array<(request: IncomingMessage, response: ServerResponse) => void>;
  let seen: Array<{ at: number; url: string; authorization?: string }>;
  const dispatcher = new Agent({ connections: 4 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({
        at: Date.now(),
        url: request.url!,
        authorization: request.headers.authorization,
      });
      (answers.shift() ?? ((_, r) => r.writeHead(500).end()))(request, response);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    answers = [];
    seen = [];
  });
  afterAll(async () => {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  /**
   * The deadline of the tests about deadlines. Every other test gets one far off, so that a loaded
   * machine (the stand-in answers on this process's event loop) cannot turn its answer into a
   * time-out and its retries.
   */
  const SHORT_DEADLINE_MS = 500;
  const client = (maxAttempts = 4, callTimeoutMs = 10_000) =>
    new GraphClient(
      { graphApiUrl: origin, maxAttempts, callTimeoutMs, retryBaseMs: 10 },
      dispatcher,
    );
  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    (_: IncomingMessage, response: ServerResponse) =>
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));

  async function call(
    graph: GraphClient,
    path = '/v1.0/users',
    method = 'GET',
    signal?: AbortSignal,
  ) {
    const attempts: CallAttempt[] = [];
    const answer = await graph.call(
      {
        method,
        url: graph.urlOf(path),
        headers: [['ConsistencyLevel', 'eventual']],
        body: method === 'GET' ? undefined : '{}',
      },
      'the-token',
      async (attempt) => {
        attempts.push(attempt);
      },
      signal,
    );
    return { answer, attempts };
  }

  /** Headers, then the start of a collection, then a byte a second: each chunk well inside 500 ms. */
  const trickle = (_: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"value":[');
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  };

  it('waits as long as a Retry-After HTTP date says before it tries again', async () => {
    const retryAt = new Date(Date.now() + 1_500);
    answers.push(
      json(429, { error: { code: 'TooManyRequests' } }, { 'retry-after': retryAt.toUTCString() }),
    );
    answers.push(json(200, { value: [] }));
    const { answer, attempts } = await call(client());
    expect(answer).toMatchObject({ status: 200, attempts: 2 });
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 429],
      [2, 200],
    ]);
    // The date has a one-second resolution: the retry came at it, not after a short backoff.
    expect(seen[1].at).toBeGreaterThanOrEqual(retryAt.getTime() - 1_000);
    expect(seen[1].authorization).toBe('Bearer the-token');
  });

  it('never retries another 4xx, and gives up on 5xx after maxAttempts', async () => {
    answers.push(json(404, { error: { code: 'Request_ResourceNotFound' } }));
    expect((await call(client())).answer).toMatchObject({ status: 404, attempts: 1 });
    for (let i = 0; i < 3; i += 1) answers.push(json(500, { error: { code: 'generalException' } }));
    expect((await call(client(3))).answer).toMatchObject({ status: 500, attempts: 3 });
    expect(seen).toHaveLength(4);
  });

  it('times a call out and retries it; refuses an answer over the size cap', async () => {
    answers.push(() => undefined); // never answers
    answers.push(json(200, { id: 'x' }));
    const { answer, attempts } = await call(client(4, SHORT_DEADLINE_MS));
    expect(attempts[0]).toMatchObject({ status: 0, error: 'no answer within 500 ms' });
    expect(answer.status).toBe(200);

    answers.push((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 32));
    });
    // A deadline long enough for 4 MiB on a loaded machine: the cap, not the time, decides.
    await expect(call(client(4, 10_000))).rejects.toThrow('larger than 4 MiB');
  });

  it('does not follow a redirect, and calls only the configured endpoint', async () => {
    answers.push((_, response) =>
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end(),
    );
    expect((await call(client())).answer.status).toBe(302);
    expect(seen).toHaveLength(1);
    const graph = client();
    for (const url of [
      'http://169.254.169.254/v1.0/users',
      `${origin.replace('127.0.0.1', 'localhost')}/v1.0/users`,
      `${origin}/v2.0/users`,
      `${origin}/v1.0/../admin`,
      `http://user:pass@${origin.slice(7)}/v1.0/users`,
      'not a url',
    ]) {
      expect({ url, allowed: graph.isAllowed(url) }).toEqual({ url, allowed: false });
    }
    expect(graph.isAllowed(`${origin}/beta/users?$top=5&$skiptoken=x`)).toBe(true);
    expect(() => graph.urlOf('//evil.example/v1.0/users')).toThrow(
      'not on the configured Graph endpoint',
    );
  });

  it('bounds the whole call by its deadline: an answer that trickles fails that try, and is retried', async () => {
    answers.push(trickle);
    answers.push(json(200, { value: [] }));
    const started = Date.now();
    const { answer, attempts } = await call(client(4, SHORT_DEADLINE_MS));
    expect(attempts[0]).toMatchObject({
      status: 200,
      error: 'the answer did not end within 500 ms',
    });
    expect(answer).toMatchObject({ status: 200, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stops a call in flight at once when its signal is aborted, and does not retry it', async () => {
    answers.push(() => undefined); // never answers
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    // A deadline far off: only the stop can end the call this soon.
    await expect(call(client(4, 30_000), '/v1.0/users', 'GET', controller.signal)).rejects.toThrow(
      'GET /v1.0/users was stopped.',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(seen).toHaveLength(1);
  });

  it('retries a POST or PATCH only when the upstream cannot have applied it: 429, 503, no connection', async () => {
    for (const method of ['POST', 'PATCH']) {
      seen = [];
      answers.push(json(500, { error: { code: 'generalException' } }));
      expect((await call(client(), '/v1.0/groups', method)).answer).toMatchObject({
        status: 500,
        attempts: 1,
      });
      answers.push(json(504, { error: { code: 'GatewayTimeout' } }));
      expect((await call(client(), '/v1.0/groups', method)).answer.attempts).toBe(1);
      answers.push(trickle);
      await expect(call(client(4, SHORT_DEADLINE_MS), '/v1.0/groups', method)).rejects.toThrow(
        'after 1 attempt:',
      );
      answers.push(() => undefined); // never answers: it may have been applied
      await expect(call(client(4, SHORT_DEADLINE_MS), '/v1.0/groups', method)).rejects.toThrow(
        'after 1 attempt:',
      );
      answers.push(json(429, {}, { 'retry-after': '0' }));
      answers.push(json(503, {}, { 'retry-after': '0' }));
      answers.push(json(201, { id: 'g' }));
      expect((await call(client(), '/v1.0/groups', method)).answer).toMatchObject({
        status: 201,
        attempts: 3,
      });
      expect(seen).toHaveLength(7);
    }
    // PUT and DELETE may be sent again after any 5xx or a time-out, as GET.
    answers.push(json(500, {}));
    answers.push(() => undefined);
    answers.push(json(204, {}));
    expect(
      (await call(client(4, SHORT_DEADLINE_MS), '/v1.0/groups/g', 'DELETE')).answer,
    ).toMatchObject({
      status: 204,
      attempts: 3,
    });
  });

  it('retries any method after a connection that could not be made', () => {
    expect(mayRetry('POST', { status: 0, failure: 'unreachable' })).toBe(true);
    expect(mayRetry('POST', { status: 0, failure: 'cut' })).toBe(false);
    expect(mayRetry('GET', { status: 0, failure: 'cut' })).toBe(true);
    expect(mayRetry('GET', { status: 200, failure: 'tooLarge' })).toBe(false);
    expect(mayRetry('GET', { status: 0, failure: 'stopped' })).toBe(false);
    expect(mayRetry('GET', { status: 404 })).toBe(false);
  });
});
