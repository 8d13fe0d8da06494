import { describe, expect, it } from 'vitest';
import { verifySharedSecret } from '../../lib/webhook/shared-secret.ts';

const secret = 'topdesk-shared-secret-0123456789';

describe('shared-secret header', () => {
  it('accepts the secret', () => {
    expect(verifySharedSecret(secret, [secret])).toEqual({ valid: true });
  });

  it('accepts any current secret, so a secret can be rotated without downtime', () => {
    expect(verifySharedSecret('rotated-secret-0123456789', [secret, 'rotated-secret-0123456789'])).toEqual({
      valid: true,
    });
  });

  it.each([
    ['a missing header', undefined, 'shared-secret header is missing'],
    ['an empty header', '', 'shared-secret header is missing'],
    ['another secret', 'another-secret-0123456789', 'shared secret does not match'],
    ['a prefix of the secret', secret.slice(0, -1), 'shared secret does not match'],
    ['the secret and more', `${secret}x`, 'shared secret does not match'],
    ['the secret in another case', secret.toUpperCase(), 'shared secret does not match'],
  ])('refuses %s', (_case, header, reason) => {
    expect(verifySharedSecret(header, [secret])).toEqual({ valid: false, reason });
  });

  it('refuses every header for a tenant without secrets', () => {
    expect(verifySharedSecret(secret, []).valid).toBe(false);
  });

  it('never takes an empty secret as configured, whatever the header', () => {
    expect(verifySharedSecret('x', ['']).valid).toBe(false);
    expect(verifySharedSecret(secret, ['', secret]).valid).toBe(true);
  });
});
