import { TOKEN_PATTERN } from '../pseudonymize/token.ts';
import { cprDetector } from './cpr.ts';
import { emailDetector } from './email.ts';
import type { Detector, Span } from './span.ts';

/** The detectors every ticket goes through. Adding one is one file and one entry here. */
export const defaultDetectors: readonly Detector[] = [cprDetector, emailDetector];

/**
 * Runs the detectors over a text and returns non-overlapping spans in text order.
 * Tokens already in the text are left alone, so sanitizing twice changes nothing.
 */
export function detectSpans(text: string, detectors: readonly Detector[]): Span[] {
  const candidates: Span[] = [];
  for (const detector of detectors) {
    for (const span of detector.detect(text)) if (span.end > span.start) candidates.push(span);
  }
  if (candidates.length === 0) return candidates;

  // Characters already claimed: first by existing tokens, then by better spans.
  const claimed = new Uint8Array(text.length);
  for (const m of text.matchAll(TOKEN_PATTERN)) claimed.fill(1, m.index, m.index + m[0].length);
  candidates.sort(
    (a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const chosen: Span[] = [];
  for (const span of candidates) {
    if (claimed.subarray(span.start, span.end).includes(1)) continue;
    claimed.fill(1, span.start, span.end);
    chosen.push(span);
  }
  return chosen.sort((a, b) => a.start - b.start);
}
