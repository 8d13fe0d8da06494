import { TOKEN_PATTERN } from '../pseudonymize/token.ts';
import { addressDetector } from './address.ts';
import { cprDetector } from './cpr.ts';
import { emailDetector } from './email.ts';
import { nameDetector } from './names.ts';
import { phoneDetector } from './phone.ts';
import { secretDetector } from './secret.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/** The detectors every ticket goes through. Adding one is one file and one entry here. */
export const defaultDetectors: readonly Detector[] = [
  cprDetector,
  emailDetector,
  phoneDetector,
  secretDetector,
  addressDetector,
  nameDetector,
];

/**
 * Runs the detectors over a text and returns non-overlapping spans in text order.
 *
 * Overlapping spans merge into one span over their union, of the kind of the most confident one:
 * this is redaction, so a short match never leaves part of a longer one readable.
 * Tokens already in the text are left alone (sanitizing twice changes nothing), unless a span
 * reaches beyond them: `METTE_FREDERIKSEN@FT.DK` is an address, not a token.
 */
export function detectSpans(text: string, detectors: readonly Detector[]): Span[] {
  const tokens = [...allMatches(TOKEN_PATTERN, text)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const candidates: Span[] = [];
  for (const detector of detectors) {
    for (const span of detector.detect(text)) {
      if (span.end <= span.start) continue;
      const inToken = tokens.some((t) => t.start <= span.start && span.end <= t.end);
      if (!inToken) candidates.push(span);
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of candidates) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      const best = span.confidence > last.confidence ? span : last;
      merged[merged.length - 1] = { ...best, start: last.start, end: Math.max(last.end, span.end) };
    } else {
      merged.push(span);
    }
  }
  return merged;
}
