import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHubSignature, verifyHubSignature } from '../../lib/webhook/hub-signature.ts';

const body = Buffer.from('{"webhookEvent":"jira:issue_created","issue":{"key":"SD-1"}}');
const secret = 'jira-webhook-secret-0123456789';

describe('X-Hub-Signature (Jira webhooks)', () => {
  it('signs as Jira does: sha256= and the hex HMAC-SHA256 of the raw body', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(signHubSignature(secret, body)).toBe(`sha256=${hex}`);
  });

  it.each([
    ['its own signature', signHubSignature(secret, body)],
    [
      'upper-case hex',
      signHubSignature(secret, body).replace(/=(.*)$/, (_, hex: string) => `=${hex.toUpperCase()}`),
    ],
    ['surrounding whitespace', ` ${signHubSignature(secret, body)} `],
  ])('accepts %s', (_case, header) => {
    expect(verifyHubSignature(header, [secret], body)).toEqual({ valid: true });
  });

  it('accepts any current secret, so a secret can be rotated without downtime', () => {
    expect(
      verifyHubSignature(
        signHubSignature('new-secret-0123456789', body),
        [secret, 'new-secret-0123456789'],
        body,
      ),
    ).toEqual({
      valid: true,
    });
  });

  it.each([
    ['a missing header', undefined, 'signature header is missing'],
    ['an empty header', '', 'signature header is missing'],
    ['a header without a method', 'abc', 'signature header is malformed'],
    ['another method', `sha1=${'a'.repeat(40)}`, 'signature method is not sha256'],
    ['a short digest', 'sha256=abcd', 'signature header is malformed'],
    ['a digest that is not hex', `sha256=${'z'.repeat(64)}`, 'signature header is malformed'],
    ['another secret', signHubSignature('another-secret-0123456789', body), 'signature does not match'],
    ['another body', signHubSignature(secret, Buffer.from('{}')), 'signature does not match'],
  ])('refuses %s', (_case, header, reason) => {
    expect(verifyHubSignature(header, [secret], body)).toEqual({ valid: false, reason });
  });

  it('refuses every signature for a tenant without secrets, and an empty secret signs nothing', () => {
    expect(verifyHubSignature(signHubSignature(secret, body), [], body).valid).toBe(false);
    expect(verifyHubSignature(signHubSignature('', body), [''], body).valid).toBe(false);
  });
});
