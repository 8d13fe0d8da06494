import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { LocalReplies } from '../../lib/servicedesk/local-replies.ts';
import type { ServicedeskReply } from '../../lib/servicedesk/servicedesk-replies.ts';
import { SignedWebhookReplies } from '../../lib/servicedesk/signed-webhook-replies.ts';
import { verifyWebhookSignature } from '../../lib/webhook/signature.ts';
import { type LoopbackReply, LoopbackServer } from '../support/loopback-server.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const SECRET = 'reply-secret-0123456789abcdef';

class Servicedesk extends LoopbackServer {
  readonly received: { headers: IncomingMessage['headers']; raw: string }[] = [];
  answer = 200;
  protected contentType = 'application/json';
  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    this.received.push({ headers: req.headers, raw });
    return { status: this.answer, body: { echo: raw } };
  }
}

const servicedesk = new Servicedesk();
const tempDir = useTempDirs();
beforeAll(() => servicedesk.start());
afterAll(() => servicedesk.stop());

const reply: ServicedeskReply = {
  tenant: 'ballerup',
  ticketId: 'SD-1',
  issueKey: 'DEV-1',
  event: 'comment',
  sourceId: 'comment:10500',
  body: 'Rettet for 010190-1234',
  author: 'Udvikler',
  time: '2026-11-22T10:00:00.000Z',
};

describe('SignedWebhookReplies', () => {
  const replies = () => new SignedWebhookReplies({ url: servicedesk.url, secret: async () => SECRET });

  it('posts the reply as JSON, signed as the servicedesk signs its own webhooks', async () => {
    await replies().post(reply);
    const [got] = servicedesk.received.slice(-1);
    expect(JSON.parse(got?.raw ?? '')).toEqual(reply);
    const check = verifyWebhookSignature(
      got?.headers['x-ticket-proxy-signature'] as string,
      [SECRET],
      Buffer.from(got?.raw ?? ''),
    );
    expect(check).toEqual({ valid: true });
    expect(got?.headers['idempotency-key']).toBe('DEV-1/comment:10500');
  });

  it('asks for a retry when the servicedesk fails, and gives up at once when it refuses', async () => {
    servicedesk.answer = 503;
    await expect(replies().post(reply)).rejects.toMatchObject({
      code: ErrorCode.SERVICEDESK_UNAVAILABLE,
      retryable: true,
    });
    // 408: the servicedesk, or a proxy before it, gave up waiting for the request; it asks for it again.
    servicedesk.answer = 408;
    await expect(replies().post(reply)).rejects.toMatchObject({
      code: ErrorCode.SERVICEDESK_UNAVAILABLE,
      retryable: true,
    });
    servicedesk.answer = 422;
    const refused = await replies()
      .post(reply)
      .catch((e: Error) => e);
    expect(refused).toMatchObject({ code: ErrorCode.SERVICEDESK_REJECTED, retryable: false, status: 422 });
    // The servicedesk's answer (which may echo the reply) is never quoted.
    expect((refused as Error).message).not.toContain('010190');
    servicedesk.answer = 200;
  });

  it('asks for a retry when nothing answers', async () => {
    const nobody = new SignedWebhookReplies({ url: 'http://127.0.0.1:1/', secret: async () => SECRET });
    await expect(nobody.post(reply)).rejects.toMatchObject({
      code: ErrorCode.SERVICEDESK_UNAVAILABLE,
      retryable: true,
    });
  });
});

describe('LocalReplies', () => {
  it('keeps replies in order in its file, whole lines only', async () => {
    const local = new LocalReplies(join(await tempDir(), 'replies.jsonl'));
    expect(await local.list()).toEqual([]);
    await Promise.all([local.post(reply), local.post({ ...reply, sourceId: 'comment:2' })]);
    expect((await local.list()).map((r) => r.sourceId)).toEqual(['comment:10500', 'comment:2']);
  });
});
