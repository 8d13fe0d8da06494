import { createHmac, timingSafeEqual } from 'node:crypto';
import { REPLAY_WINDOW_SECONDS, type SignatureCheck } from './signature.ts';

/**
 * Zendesk signs each webhook request with the webhook's signing secret:
 * `X-Zendesk-Webhook-Signature` is base64(HMAC-SHA256(secret, TIMESTAMP + BODY)), TIMESTAMP being
 * the `X-Zendesk-Webhook-Signature-Timestamp` header exactly as sent (ISO 8601, `2021-03-25T05:09:27Z`)
 * and BODY the raw body, with nothing between them.
 * See https://developer.zendesk.com/documentation/webhooks/verifying/.
 */
export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

/** ISO 8601 date and time with a zone, as Zendesk writes it; fractions of a second are tolerated. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
/** Base64 of a 32-byte digest: 43 characters and one `=`. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

const hmac = (secret: string, timestamp: string, body: Uint8Array) =>
  createHmac('sha256', secret).update(timestamp).update(body).digest();

/** The two header values for a body, as Zendesk would send them. */
export function signZendeskWebhook(
  secret: string,
  body: Uint8Array,
  timestamp: string = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
): { signature: string; timestamp: string } {
  return { signature: hmac(secret, timestamp, body).toString('base64'), timestamp };
}

/**
 * Checks Zendesk's signature against any of the tenant's current secrets (several during a rotation),
 * in constant time, and refuses timestamps more than {@link REPLAY_WINDOW_SECONDS} from now.
 * Never throws: missing or malformed headers are an invalid check.
 */
export function verifyZendeskSignature(
  signatureHeader: string | undefined,
  timestampHeader: string | undefined,
  secrets: readonly string[],
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!signatureHeader || !timestampHeader) {
    return { valid: false, reason: 'signature or signature timestamp header is missing' };
  }
  const timestamp = timestampHeader.trim();
  const signature = signatureHeader.trim();
  const ms = parseTimestamp(timestamp);
  if (ms === undefined || !SIGNATURE.test(signature)) {
    return { valid: false, reason: 'signature header is malformed' };
  }
  if (Math.abs(nowSeconds - ms / 1000) > REPLAY_WINDOW_SECONDS) {
    return { valid: false, reason: `signature timestamp is more than ${REPLAY_WINDOW_SECONDS} s from now` };
  }
  const given = Buffer.from(signature, 'base64');
  // An empty secret would let anyone sign: it is never a secret this check accepts.
  for (const secret of secrets) {
    if (secret !== '' && timingSafeEqual(given, hmac(secret, timestamp, body))) return { valid: true };
  }
  return { valid: false, reason: 'signature does not match' };
}

/** Milliseconds since the epoch, or undefined for anything but a real date in {@link TIMESTAMP}'s form. */
function parseTimestamp(value: string): number | undefined {
  if (!TIMESTAMP.test(value)) return undefined;
  // Date.parse rolls an impossible day (31 February) over into the next month instead of refusing it.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
