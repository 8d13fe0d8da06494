import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Danish phone numbers: eight digits, the first 2-9. Eight digits are also order numbers and amounts,
 * so without a country code a number must look like a phone number (grouped 2-2-2-2 or 4-4) or follow
 * a word that announces one (tlf., mobil, ring, …).
 */
const SEP = '[ .\\-\\u00a0]';
const EIGHT_DIGITS = `[2-9]\\d(?:${SEP}?\\d\\d){3}`;
// Not part of a longer number on either side, separators included.
const BOUNDED = (body: string) => `(?<![\\d+])(?<!\\d${SEP})${body}(?!${SEP}?\\d)`;

const PATTERNS: readonly { pattern: RegExp; confidence: number }[] = [
  // +45 or 0045, with any grouping of the eight digits.
  { pattern: new RegExp(BOUNDED(`(?:\\+|00)45${SEP}?${EIGHT_DIGITS}`), 'g'), confidence: 0.95 },
  // 20 30 40 50, 20-30-40-50, 20.30.40.50: one separator used throughout.
  { pattern: new RegExp(BOUNDED('[2-9]\\d([ .\\-\\u00a0])\\d\\d\\1\\d\\d\\1\\d\\d'), 'g'), confidence: 0.8 },
  // 2030 4050
  { pattern: new RegExp(BOUNDED(`[2-9]\\d{3}${SEP}\\d{4}`), 'g'), confidence: 0.6 },
  // tlf. 20304050, mobil: 2030 4050, ring på 20 30 40 50
  {
    pattern: new RegExp(
      `(?<=\\b(?:tlf|telefon|telefonnr|tlf\\.?nr|telefonnummer|mobil|mobilnr|mob|phone|tel|ring|ringe|sms)\\b[.:]?(?:\\s*(?:nr\\.?|på|til|nummer|no\\.?))?[\\s:]*)${BOUNDED(EIGHT_DIGITS)}`,
      'gi',
    ),
    confidence: 0.9,
  },
];

/** Finds Danish phone numbers. */
export const phoneDetector: Detector = {
  name: 'phone',
  *detect(text: string): Iterable<Span> {
    for (const { pattern, confidence } of PATTERNS) {
      for (const match of allMatches(pattern, text)) {
        yield { kind: TokenKind.PHONE, start: match.index, end: match.index + match[0].length, confidence };
      }
    }
  },
};
