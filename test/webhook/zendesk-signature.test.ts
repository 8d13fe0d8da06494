import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_SECONDS } from '../../lib/webhook/signature.ts';
import { signZendeskWebhook, verifyZendeskSignature } from '../../lib/webhook/zendesk-signature.ts';

const body = Buffer.from('{"ticket":{"id":35436,"subject":"Fejl"}}');
const secret = 'zendesk-signing-secret-0123456789';
const now = Date.parse('2026-09-03T07:12:44Z') / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

describe('Zendesk webhook signatures', () => {
  it('signs as Zendesk does: base64 HMAC-SHA256 over the timestamp then the raw body, nothing between', () => {
    const expected = createHmac('sha256', secret).update(`2026-09-03T07:12:44Z${body}`).digest('base64');
    expect(signZendeskWebhook(secret, body, '2026-09-03T07:12:44Z')).toEqual({
      signature: expected,
      timestamp: '2026-09-03T07:12:44Z',
    });
  });

  it('writes its default timestamp as Zendesk does, to the second', () => {
    expect(signZendeskWebhook(secret, body).timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it.each([
    ['at the moment', iso(now)],
    [`${REPLAY_WINDOW_SECONDS} s ago`, iso(now - REPLAY_WINDOW_SECONDS)],
    [`${REPLAY_WINDOW_SECONDS} s ahead`, iso(now + REPLAY_WINDOW_SECONDS)],
    ['with an offset', '2026-09-03T09:12:44+02:00'],
  ])('accepts a signature made %s', (_case, timestamp) => {
    const { signature } = signZendeskWebhook(secret, body, timestamp);
    expect(verifyZendeskSignature(signature, timestamp, [secret], body, now)).toEqual({ valid: true });
  });

  it('accepts any current secret, so a secret can be rotated without downtime', () => {
    const signed = signZendeskWebhook('rotated-secret-0123456789', body, iso(now));
    expect(
      verifyZendeskSignature(
        signed.signature,
        signed.timestamp,
        [secret, 'rotated-secret-0123456789'],
        body,
        now,
      ),
    ).toEqual({ valid: true });
  });

  const good = signZendeskWebhook(secret, body, iso(now));
  const stale = signZendeskWebhook(secret, body, iso(now - REPLAY_WINDOW_SECONDS - 1));
  const future = signZendeskWebhook(secret, body, iso(now + REPLAY_WINDOW_SECONDS + 1));
  const other = signZendeskWebhook('another-secret-0123456789', body, iso(now));
  it.each([
    ['a missing signature', undefined, good.timestamp, 'signature or signature timestamp header is missing'],
    ['a missing timestamp', good.signature, undefined, 'signature or signature timestamp header is missing'],
    ['a timestamp in seconds', good.signature, String(now), 'signature header is malformed'],
    ['an impossible date', good.signature, '2026-02-31T07:12:44Z', 'signature header is malformed'],
    ['a signature that is not base64 of 32 bytes', 'abc=', good.timestamp, 'signature header is malformed'],
    ['a hex signature', 'a'.repeat(64), good.timestamp, 'signature header is malformed'],
    [
      'a stale timestamp',
      stale.signature,
      stale.timestamp,
      `signature timestamp is more than ${REPLAY_WINDOW_SECONDS} s from now`,
    ],
    [
      'a future timestamp',
      future.signature,
      future.timestamp,
      `signature timestamp is more than ${REPLAY_WINDOW_SECONDS} s from now`,
    ],
    ['another secret', other.signature, other.timestamp, 'signature does not match'],
    ['a timestamp other than the one signed', good.signature, iso(now + 1), 'signature does not match'],
  ])('refuses %s', (_case, signature, timestamp, reason) => {
    expect(verifyZendeskSignature(signature, timestamp, [secret], body, now)).toEqual({
      valid: false,
      reason,
    });
  });

  it('refuses another body', () => {
    expect(verifyZendeskSignature(good.signature, good.timestamp, [secret], Buffer.from('{}'), now)).toEqual({
      valid: false,
      reason: 'signature does not match',
    });
  });

  it('refuses every signature for a tenant without secrets, and an empty secret signs nothing', () => {
    expect(verifyZendeskSignature(good.signature, good.timestamp, [], body, now).valid).toBe(false);
    const empty = signZendeskWebhook('', body, iso(now));
    expect(verifyZendeskSignature(empty.signature, empty.timestamp, [''], body, now).valid).toBe(false);
  });
});
