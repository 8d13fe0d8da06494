import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * Credentials pasted into tickets. They become SECRET tokens, which are never stored: nobody, not
 * even an authorized person, can get a password back from the proxy. A JWT counts too: MitID,
 * NemLog-in and OIDC tokens carry CPR numbers and names in their payload.
 */
const SECRETS: readonly RegExp[] = [
  // JWTs, and what follows Bearer or Basic.
  /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/g,
  /(?<=\b(?:Bearer|Basic)\s+)[\w~+/.-]{16,}=*/gi,
  // A value announced as a password, PIN or key: `adgangskode: hemmelig1`, `password="…"`, `api_key=…`.
  /(?<=\b(?:password|passwd|pwd|passcode|adgangskode|kodeord|pinkode|pin|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|token)\b["']?\s*(?:[:=]|er|is)\s*["']?)[^\s"',;]{4,}/gi,
  // Key formats that say what they are.
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bATATT[A-Za-z0-9_=-]{20,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // The password in a connection URL: postgres://user:hemmelig@host/db
  /(?<=[a-z][\w+.-]*:\/\/[^\s:/@]+:)[^\s@/]{3,}(?=@)/gi,
];

export const secretDetector: Detector = {
  name: 'secret',
  *detect(text: string): Iterable<Span> {
    for (const pattern of SECRETS) {
      for (const match of text.matchAll(pattern)) {
        yield {
          kind: TokenKind.SECRET,
          start: match.index,
          end: match.index + match[0].length,
          confidence: 0.95,
        };
      }
    }
  },
};
