import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

const LOCAL_CHAR = /[\p{L}\p{M}\p{N}._%+'#$*!~^-]/u;

/**
 * A pragmatic address pattern: local part, `@` (or `%40`, as in pasted URLs), and a domain whose
 * last label is letters. Letters with combining marks are allowed on both sides (æøå, é in any
 * normalization form). The match ends at the top-level domain, so `jens@example.dk-support` and
 * `jens@example.dk2` still give up the address. Sticky: it is tried only where an `@` says to. The
 * local part is bounded (RFC 5321: 64) so one try never runs on through a long run of `%40`s.
 */
const EMAIL =
  /[\p{L}\p{M}\p{N}._%+'#$*!~^-]{1,64}(?:@|%40)(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?\.)+[\p{L}\p{M}]{2,24}(?![\p{L}\p{M}])/uy;
const AT = /@|%40/gi;

/** Finds e-mail addresses. */
export const emailDetector: Detector = {
  name: 'email',
  *detect(text: string): Iterable<Span> {
    let done = 0;
    for (const at of allMatches(AT, text)) {
      if (at.index < done) continue;
      // Scanning every position for a local part is what made this slow; an address needs an `@`.
      let start = at.index;
      // A local part is at most 64 characters (RFC 5321); walking further made `a%40a%40…` quadratic.
      const limit = Math.max(done, at.index - 64);
      while (start > limit && LOCAL_CHAR.test(text[start - 1] ?? '')) start--;
      EMAIL.lastIndex = start;
      const match = EMAIL.exec(text);
      if (!match) continue;
      done = EMAIL.lastIndex;
      // Sentence punctuation before an address is not part of it.
      const lead = /^[.'-]*/.exec(match[0])?.[0].length ?? 0;
      yield { kind: TokenKind.EMAIL, start: start + lead, end: done, confidence: 0.95 };
    }
  },
};
