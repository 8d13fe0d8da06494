import { DependencyError, ErrorCode, ServicedeskRejectedError } from '../errors.ts';
import { isTryAgain } from '../tracker/retry.ts';
import { SIGNATURE_HEADER, signWebhook } from '../webhook/signature.ts';
import type { ServicedeskReplies, ServicedeskReply } from './servicedesk-replies.ts';

/**
 * Replies as a signed webhook to the servicedesk, with the same signature scheme the servicedesk
 * uses towards the proxy (CONTRACTS.md §4): `X-Ticket-Proxy-Signature: t=…,v1=HMAC-SHA256(t.body)`.
 * The body is the reply as JSON.
 */
export class SignedWebhookReplies implements ServicedeskReplies {
  readonly #url: string;
  readonly #secret: () => Promise<string>;
  readonly #timeoutMs: number;

  constructor(options: { url: string; secret: () => Promise<string>; timeoutMs?: number }) {
    this.#url = options.url;
    this.#secret = options.secret;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async post(reply: ServicedeskReply): Promise<void> {
    const body = Buffer.from(JSON.stringify(reply), 'utf8');
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(await this.#secret(), body),
          // Lets the servicedesk drop a reply it already has, whatever the proxy retries.
          'idempotency-key': `${reply.issueKey}/${reply.sourceId}`,
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new DependencyError(ErrorCode.SERVICEDESK_UNAVAILABLE, 'the servicedesk did not answer', error);
    }
    await response.body?.cancel();
    const status = `the servicedesk answered the reply with HTTP ${response.status}`;
    if (response.status >= 400 && response.status < 500 && !isTryAgain(response.status)) {
      throw new ServicedeskRejectedError(response.status, status);
    }
    if (!response.ok) {
      throw new DependencyError(ErrorCode.SERVICEDESK_UNAVAILABLE, status);
    }
  }
}
