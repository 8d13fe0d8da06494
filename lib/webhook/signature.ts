import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Ticket-Proxy-Signature: t=UNIX_SECONDS,v1=HEX` (CONTRACTS.md §4). */
export const SIGNATURE_HEADER = 'x-ticket-proxy-signature';
/** Shorter webhook secrets are refused: an HMAC is only as strong as its key. */
export const MIN_SECRET_LENGTH = 16;

/** How far `t` may be from now, either way, in seconds. */
export const REPLAY_WINDOW_SECONDS = 300;

const hmac = (secret: string, t: string, body: Uint8Array) =>
  createHmac('sha256', secret).update(`${t}.`).update(body).digest();

/** The header value for a body, as a servicedesk would send it. */
export function signWebhook(
  secret: string,
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
) {
  return `t=${nowSeconds},v1=${hmac(secret, String(nowSeconds), body).toString('hex')}`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

/**
 * Checks a signature header against any of the tenant's current secrets (several during a rotation),
 * in constant time, and refuses timestamps outside the replay window.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  secrets: readonly string[],
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { valid: false, reason: 'signature header is missing' };
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)).map(([, v]) => v);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) {
    return { valid: false, reason: 'signature header is malformed' };
  }
  if (Math.abs(nowSeconds - Number(t)) > REPLAY_WINDOW_SECONDS) {
    return { valid: false, reason: `signature timestamp is more than ${REPLAY_WINDOW_SECONDS} s from now` };
  }
  for (const secret of secrets) {
    const expected = hmac(secret, t, body);
    if (signatures.some((s) => timingSafeEqual(Buffer.from(s as string, 'hex'), expected)))
      return { valid: true };
  }
  return { valid: false, reason: 'signature does not match' };
}
