import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * A pragmatic address pattern: local part, @, and a domain with a top-level label of letters.
 * Unicode letters are allowed on both sides (æøå occur in Danish addresses).
 */
const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+'-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}\p{N}-])/gu;

/** Finds e-mail addresses. */
export const emailDetector: Detector = {
  name: 'email',
  *detect(text: string): Iterable<Span> {
    for (const match of text.matchAll(EMAIL)) {
      let start = match.index;
      let value = match[0];
      // A local part cannot start with a dot; strip leading punctuation that belongs to the sentence.
      while (/^[.'-]/.test(value)) {
        value = value.slice(1);
        start++;
      }
      yield { kind: TokenKind.EMAIL, start, end: start + value.length, confidence: 0.95 };
    }
  },
};
