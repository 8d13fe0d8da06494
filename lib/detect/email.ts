import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * A pragmatic address pattern: local part, `@` (or `%40`, as in pasted URLs), and a domain whose
 * last label is letters. Letters with combining marks are allowed on both sides (æøå, é in any
 * normalization form). The match ends at the top-level domain, so `jens@example.dk-support` and
 * `jens@example.dk2` still give up the address.
 */
const EMAIL =
  /(?<![\p{L}\p{M}\p{N}._%+'#$*!~^-])[\p{L}\p{M}\p{N}._%+'#$*!~^-]+(?:@|%40)(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?\.)+[\p{L}\p{M}]{2,24}(?![\p{L}\p{M}])/gu;

/** Finds e-mail addresses. */
export const emailDetector: Detector = {
  name: 'email',
  *detect(text: string): Iterable<Span> {
    for (const match of text.matchAll(EMAIL)) {
      // Sentence punctuation before an address is not part of it.
      const lead = /^[.'-]*/.exec(match[0])?.[0].length ?? 0;
      const start = match.index + lead;
      yield { kind: TokenKind.EMAIL, start, end: match.index + match[0].length, confidence: 0.95 };
    }
  },
};
