import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A POST the receiver got: its query, body (parsed when JSON) and when it arrived. */
export interface ReceivedPost {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: any;
  readonly at: number;
  /** When its connection closed (answered, or given up by the sender). */
  endedAt?: number;
  /** The status it was answered with, once answered. */
  answeredWith?: number;
}

/**
 * How the receiver answers a notification POST (not a validation request): `ok` (202), a
 * status, or `hang` (no answer for `ms`, then 202), in order; `ok` once the list is used up.
 */
export type Answer = 'ok' | number | { readonly hang: number };

/**
 * A webhook receiver on loopback that behaves as a real one: it answers
 * Microsoft Graph's validation request by echoing `validationToken` as text/plain (or fails as
 * told), records every notification POST, and answers them as scripted.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  readonly validations: ReceivedPost[] = [];
  /** How validation requests are answered. */
  validation: 'echo' | 'notFound' | 'wrongBody' | 'html' | { readonly hang: number } = 'echo';
  /** How POSTs to /notifications are answered, in order. */
  answers: Answer[] = [];
  /** How POSTs to other paths are answered: the same answer every time. */
  readonly answerOf = new Map<string, Answer>();
  private waiters: Array<() => void> = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => void receiver.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** `http://127.0.0.1:<port><path>`. */
  url(path = '/notifications'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Every notification in the POSTs to `path` so far. */
  notifications(path = '/notifications'): any[] {
    return this.posts.filter((post) => post.path === path).flatMap((post) => post.body.value);
  }

  /** The notifications of the POSTs to `path` that were answered 2xx (acknowledged). */
  acknowledged(path = '/notifications'): any[] {
    return this.posts
      .filter(
        (post) => post.path === path && post.answeredWith !== undefined && post.answeredWith < 300,
      )
      .flatMap((post) => post.body.value);
  }

  /** Waits until `predicate` holds (checked at every POST), at most `timeoutMs`. */
  async waitFor(
    predicate: () => boolean,
    timeoutMs = 15_000,
    what = 'notifications',
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `Timed out waiting for ${what}; got ${JSON.stringify(this.posts.map((p) => p.body))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  reset(): void {
    this.posts.length = 0;
    this.validations.length = 0;
    this.answers = [];
    this.answerOf.clear();
    this.validation = 'echo';
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://receiver');
    const token = url.searchParams.get('validationToken');
    const post: ReceivedPost = {
      path: url.pathname,
      query: url.searchParams,
      body:
        text && request.headers['content-type']?.startsWith('application/json')
          ? JSON.parse(text)
          : text,
      at: Date.now(),
    };
    if (token !== null) {
      this.validations.push(post);
      const validation = this.validation;
      if (typeof validation === 'object') await this.hang(response, validation.hang);
      if (response.destroyed) return;
      if (validation === 'notFound') response.writeHead(404).end();
      else if (validation === 'html')
        response.writeHead(200, { 'content-type': 'text/html' }).end(token);
      else if (validation === 'wrongBody')
        response.writeHead(200, { 'content-type': 'text/plain' }).end('nope');
      else response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(token);
      return;
    }
    this.posts.push(post);
    response.on('close', () => (post.endedAt = Date.now()));
    for (const wake of this.waiters.splice(0)) wake();
    const answer =
      (post.path === '/notifications' ? this.answers.shift() : this.answerOf.get(post.path)) ??
      'ok';
    if (typeof answer === 'object') {
      await this.hang(response, answer.hang);
      if (!response.destroyed) {
        post.answeredWith = 202;
        response.writeHead(202).end();
      }
      return;
    }
    post.answeredWith = answer === 'ok' ? 202 : answer;
    response.writeHead(post.answeredWith).end();
  }

  private hang(response: ServerResponse, ms: number): Promise<void> {
    this.hanging.add(response);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.hanging.delete(response);
        resolve();
      }, ms),
    );
  }
}
