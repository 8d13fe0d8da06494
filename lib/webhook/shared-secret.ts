import { createHash, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck } from './signature.ts';

/**
 * `X-Ticket-Proxy-Secret: SECRET`: for servicedesks that can add a header to a webhook but cannot
 * sign one. Weaker than a signature: the secret itself travels (inside TLS) and a captured request
 * can be replayed, so a signature is preferred wherever the sender can make one.
 */
export const SHARED_SECRET_HEADER = 'x-ticket-proxy-secret';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares the header with each of the tenant's current secrets (several during a rotation). Both
 * sides are hashed first, so the comparison is of equal lengths and takes the same time whatever
 * the header holds; every secret is compared, so the time does not tell which one matched.
 * Never throws.
 */
export function verifySharedSecret(header: string | undefined, secrets: readonly string[]): SignatureCheck {
  if (!header) return { valid: false, reason: 'shared-secret header is missing' };
  const given = digest(header);
  let matched = false;
  for (const secret of secrets) {
    // An empty secret would let an empty header in: it is never a secret this check accepts.
    if (timingSafeEqual(given, digest(secret)) && secret !== '') matched = true;
  }
  return matched ? { valid: true } : { valid: false, reason: 'shared secret does not match' };
}
