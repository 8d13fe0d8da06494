import type { TokenKind } from '../pseudonymize/token.ts';

/** A stretch of text that holds personal data. Detectors find spans; policy decides what replaces them. */
export interface Span {
  kind: TokenKind;
  /** UTF-16 offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** 0..1: how sure the detector is. Overlaps are won by the higher confidence, then the longer span. */
  confidence: number;
}

/** One kind of personal data and how to find it. Pure: the same text always gives the same spans. */
export interface Detector {
  readonly name: string;
  detect(text: string): Iterable<Span>;
}

/**
 * Every match of a global pattern, like `text.matchAll(pattern)` but without the copy of the pattern
 * that matchAll makes on each call, which cost more than the matching on short texts.
 */
export function allMatches(pattern: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push(m);
    if (m[0] === '') pattern.lastIndex++;
  }
  return out;
}
