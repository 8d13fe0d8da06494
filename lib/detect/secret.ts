import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Credentials pasted into tickets. They become SECRET tokens, which are never stored: nobody, not
 * even an authorized person, can get a password back from the proxy. A JWT counts too: MitID,
 * NemLog-in and OIDC tokens carry CPR numbers and names in their payload.
 *
 * Each pattern is a forward match whose group 1, when present, is the secret: variable-length
 * lookbehinds are tried at every position of the text and were the detector's main cost.
 */
const SECRETS: readonly RegExp[] = [
  // JWTs, and what follows Bearer or Basic.
  /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/g,
  /\b(?:Bearer|Basic)\s+([\w~+/.-]{16,}=*)/gi,
  // A value announced as a password, PIN or key: `adgangskode: hemmelig1`, `password="…"`, `api_key=…`.
  /\b(?:password|passwd|pwd|pw|pass|passcode|adgangskode|kodeord|kode|engangskode|pinkode|pin|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|token|sig)\b["']?\s*(?:[:=]|er|is)\s*["']?([^\s"',;]{4,})/gi,
  // Key formats that say what they are.
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bATATT[A-Za-z0-9_=-]{20,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // The password in a connection URL: postgres://user:hemmelig@host/db
  /:\/\/[^\s:/@]+:([^\s@/]{3,})@/g,
];

export const secretDetector: Detector = {
  name: 'secret',
  *detect(text: string): Iterable<Span> {
    for (const pattern of SECRETS) {
      for (const match of allMatches(pattern, text)) {
        const secret = match[1] ?? match[0];
        // Group 1 ends where the whole match ends, or just before the `@` of a connection URL.
        const end = match.index + match[0].length - (match[0].endsWith('@') && match[1] ? 1 : 0);
        yield { kind: TokenKind.SECRET, start: end - secret.length, end, confidence: 0.95 };
      }
    }
  },
};
