import { Agent, request } from 'undici';
import { NotificationUrlPolicy } from './notification-urls';

/** What a receiver answered, or why it could not be asked. */
export type WebhookAnswer =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly contentType: string;
      readonly body: string;
    }
  | { readonly kind: 'failed'; readonly reason: string };

/** The most of a receiver's answer that is read (a validation token is short). */
const MAX_ANSWER_BYTES = 4_096;

/**
 * POSTs to webhook receivers: no redirects (a receiver cannot point the service elsewhere),
 * connections checked by the URL policy's lookup, a whole-call time-out, and at most a few KiB of
 * the answer read. Nothing the service holds secret goes in a URL, header or log line here.
 */
export class WebhookClient {
  private readonly agent: Agent;

  constructor(private readonly policy: NotificationUrlPolicy) {
    this.agent = new Agent({
      connect: { lookup: policy.lookup as never },
      keepAliveTimeout: 10_000,
    });
  }

  async post(
    url: URL,
    body: string,
    contentType: string,
    timeoutMs: number,
  ): Promise<WebhookAnswer> {
    try {
      // The address written in the URL is checked again (the lookup sees only names).
      this.policy.checkSyntax(url.href, 'URL');
    } catch (error) {
      return { kind: 'failed', reason: (error as Error).message };
    }
    try {
      const response = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        if (size < MAX_ANSWER_BYTES) chunks.push(buffer);
        size += buffer.length;
        if (size >= MAX_ANSWER_BYTES) break;
      }
      if (size >= MAX_ANSWER_BYTES) response.body.destroy();
      const type = response.headers['content-type'];
      return {
        kind: 'answered',
        status: response.statusCode,
        contentType: (Array.isArray(type) ? type[0] : type) ?? '',
        body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES),
      };
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const timedOut =
        failure.name === 'TimeoutError' ||
        failure.name === 'AbortError' ||
        failure.code === 'UND_ERR_HEADERS_TIMEOUT' ||
        failure.code === 'UND_ERR_BODY_TIMEOUT';
      return {
        kind: 'failed',
        reason: timedOut
          ? `no answer within ${timeoutMs / 1000} seconds`
          : (failure.cause?.message ?? failure.message ?? failure.code ?? 'connection failed'),
      };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
