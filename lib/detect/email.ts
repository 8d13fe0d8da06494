import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * Whether a UTF-16 unit may be in a local part, remembered per unit: a regex test of each character
 * (sliced out first) was most of this detector's cost. A lone surrogate never is, as in the pattern.
 */
const LOCAL_CHAR = /[\p{L}\p{M}\p{N}._%+'#$*!~^-]/u;
const localChars = new Uint8Array(0x10000);
function isLocalChar(c: number): boolean {
  let known = localChars[c];
  if (known === 0) {
    known = LOCAL_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
    localChars[c] = known;
  }
  return known === 1;
}

/**
 * A pragmatic address pattern: local part, `@` (or `%40`, as in pasted URLs), and a domain whose
 * last label is letters. Letters with combining marks are allowed on both sides (æøå, é in any
 * normalization form). The match ends at the top-level domain, so `jens@example.dk-support` and
 * `jens@example.dk2` still give up the address. Sticky: it is tried only where an `@` says to. The
 * local part is bounded (RFC 5321: 64) so one try never runs on through a long run of `%40`s.
 */
const EMAIL =
  /[\p{L}\p{M}\p{N}._%+'#$*!~^-]{1,64}(?:@|%40)(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?\.)+[\p{L}\p{M}]{2,24}(?![\p{L}\p{M}])/uy;

/** Finds e-mail addresses. */
export const emailDetector: Detector = {
  name: 'email',
  detect(text: string): Span[] {
    const spans: Span[] = [];
    let done = 0;
    // The `@`s and `%40`s in order: the matches of a global `/@|%40/` scan, as they cannot overlap.
    // `indexOf` finds them faster, and most texts have neither. Each kind's next one is kept, so a
    // text with many of one is not searched again for the other.
    let nextAt = text.indexOf('@');
    let nextPercent = text.indexOf('%40');
    while (nextAt !== -1 || nextPercent !== -1) {
      const at = nextPercent === -1 || (nextAt !== -1 && nextAt < nextPercent) ? nextAt : nextPercent;
      if (at === nextAt) nextAt = text.indexOf('@', at + 1);
      else nextPercent = text.indexOf('%40', at + 3);
      if (at < done) continue;
      // Scanning every position for a local part is what made this slow; an address needs an `@`.
      let start = at;
      // A local part is at most 64 characters (RFC 5321); walking further made `a%40a%40…` quadratic.
      const limit = Math.max(done, at - 64);
      while (start > limit && isLocalChar(text.charCodeAt(start - 1))) start--;
      EMAIL.lastIndex = start;
      const match = EMAIL.exec(text);
      if (!match) continue;
      done = EMAIL.lastIndex;
      // Sentence punctuation before an address is not part of it.
      const lead = /^[.'-]*/.exec(match[0])?.[0].length ?? 0;
      spans.push({ kind: TokenKind.EMAIL, start: start + lead, end: done, confidence: 0.95 });
    }
    return spans;
  },
};
