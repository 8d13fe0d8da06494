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
