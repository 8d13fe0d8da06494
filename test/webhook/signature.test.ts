import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../lib/webhook/signature.ts';

const body = Buffer.from('{"tenant":"ballerup"}');
const now = 1_800_000_000;

describe('webhook signatures', () => {
  it('signs as the contract says: HMAC-SHA256 over t + "." + raw body', () => {
    const expected = createHmac('sha256', 'secret').update(`${now}.${body}`).digest('hex');
    expect(signWebhook('secret', body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('accepts its own signature within the replay window, either side', () => {
    expect(verifyWebhookSignature(signWebhook('s', body, now - 300), ['s'], body, now)).toEqual({
      valid: true,
    });
    expect(verifyWebhookSignature(signWebhook('s', body, now + 300), ['s'], body, now)).toEqual({
      valid: true,
    });
  });

  it('accepts any current secret, so a secret can be rotated without downtime', () => {
    expect(verifyWebhookSignature(signWebhook('new', body, now), ['old', 'new'], body, now).valid).toBe(true);
  });

  it.each([
    ['a missing header', undefined, 'signature header is missing'],
    ['a malformed header', 'v1=abc', 'signature header is malformed'],
    [
      'a stale timestamp',
      signWebhook('s', body, now - 301),
      'signature timestamp is more than 300 s from now',
    ],
    [
      'a future timestamp',
      signWebhook('s', body, now + 301),
      'signature timestamp is more than 300 s from now',
    ],
    ['another secret', signWebhook('other', body, now), 'signature does not match'],
    ['another body', signWebhook('s', Buffer.from('{}'), now), 'signature does not match'],
  ])('refuses %s', (_case, header, reason) => {
    expect(verifyWebhookSignature(header, ['s'], body, now)).toEqual({ valid: false, reason });
  });

  it('refuses every signature for a tenant without secrets', () => {
    expect(verifyWebhookSignature(signWebhook('s', body, now), [], body, now).valid).toBe(false);
  });
});
