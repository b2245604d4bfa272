import { Agent } from 'undici';
import { callOutbound, OutboundCallError, OutboundObserver, UNWATCHED } from '../outbound-call';
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
 * POSTs to webhook receivers through the outbound call every integration uses (a deadline over
 * the whole call, no redirects: a receiver cannot point the service elsewhere), with connections
 * checked by the URL policy's lookup, and at most a few KiB of the answer read. Nothing the
 * service holds secret goes in a URL, header or log line here.
 */
export class WebhookClient {
  private readonly agent: Agent;

  constructor(
    private readonly policy: NotificationUrlPolicy,
    private readonly observer: OutboundObserver = UNWATCHED,
  ) {
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
      const answer = await callOutbound(
        {
          upstream: 'webhook',
          url: url.href,
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        },
        { deadlineMs: timeoutMs, maxBytes: MAX_ANSWER_BYTES, overflow: 'truncate' },
        this.agent,
        undefined,
        this.observer,
      );
      return {
        kind: 'answered',
        status: answer.status,
        contentType: answer.headers.find(([name]) => name === 'content-type')?.[1] ?? '',
        body: answer.body,
      };
    } catch (error) {
      if (!(error instanceof OutboundCallError)) throw error;
      return {
        kind: 'failed',
        reason:
          error.kind === 'deadline'
            ? `no answer within ${timeoutMs / 1000} seconds`
            : error.message.replace(/^connection failed \((.*)\)$/, '$1'),
      };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
