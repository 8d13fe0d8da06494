import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck } from './signature.ts';

/**
 * `X-Hub-Signature: sha256=HEX`, HEX being the HMAC-SHA256 of the raw body under the webhook's
 * secret: what Jira Cloud sends for admin webhooks registered with a secret (the WebSub
 * `method=signature` form). It carries no timestamp, so unlike the proxy's own signature it cannot
 * refuse a replayed request; a replay re-sends a ticket the proxy has already accepted once.
 */
export const HUB_SIGNATURE_HEADER = 'x-hub-signature';

const hmac = (secret: string, body: Uint8Array) => createHmac('sha256', secret).update(body).digest();

/** The header value for a body, as Jira would send it. */
export function signHubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}

/**
 * Checks an `X-Hub-Signature` header against any of the tenant's current secrets (several during a
 * rotation), in constant time. Never throws: a missing or malformed header is an invalid check.
 */
export function verifyHubSignature(
  header: string | undefined,
  secrets: readonly string[],
  body: Uint8Array,
): SignatureCheck {
  if (!header) return { valid: false, reason: 'signature header is missing' };
  const match = /^([A-Za-z0-9]+)=([0-9a-fA-F]*)$/.exec(header.trim());
  if (match === null) return { valid: false, reason: 'signature header is malformed' };
  const [, method, hex] = match;
  if (method?.toLowerCase() !== 'sha256') return { valid: false, reason: 'signature method is not sha256' };
  if (hex?.length !== 64) return { valid: false, reason: 'signature header is malformed' };
  const signature = Buffer.from(hex, 'hex');
  // An empty secret would let anyone sign: it is never a secret this check accepts.
  for (const secret of secrets) {
    if (secret !== '' && timingSafeEqual(signature, hmac(secret, body))) return { valid: true };
  }
  return { valid: false, reason: 'signature does not match' };
}
