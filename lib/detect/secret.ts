import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * Credentials pasted into tickets. A JWT (MitID, NemLog-in and OIDC tokens carry CPR numbers and
 * names in their payload) or a bearer token is replaced whole and, being a SECRET, never stored.
 */
const SECRETS: readonly RegExp[] = [
  /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/g,
  /(?<=\b(?:Bearer|Basic)\s+)[\w~+/.-]{16,}=*/gi,
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
