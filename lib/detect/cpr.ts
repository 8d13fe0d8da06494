import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

const SPACE = String.raw`[ \t\u00a0\u202f]`;
const DASH = String.raw`[-\u2010-\u2015\u2212/._+]`;
/** Between date and serial: a dash, slash, dot or `+` with optional spaces, or up to three spaces, tabs or newlines. */
const SERIAL_SEPARATOR = String.raw`(?:${SPACE}{0,2}${DASH}${SPACE}{0,2}|[\s\u00a0\u202f]{1,3})?`;
/** Between the date's parts: the same, on one line, and the same each time (a backreference). */
const DATE_SEPARATOR = String.raw`(?:${SPACE}{0,2}${DASH}${SPACE}{0,2}|${SPACE}{1,2})?`;

/**
 * DDMMYY, with nothing or the same separator between the date's parts (`01.01.90`, `24 05 65`,
 * `22–03–67`, `22+03+67` from a URL), then a separator, then SSSS.
 * Digits may not continue on either side, so a CPR number is never cut out of a longer digit run,
 * but letters may (`cpr:0101901234`, `CPR-nr.0101901234`, `?cpr=0101901234`).
 */
const CPR_CANDIDATE = new RegExp(
  String.raw`(?<!\d)(\d{2})(${DATE_SEPARATOR})(\d{2})\2(\d{2})${SERIAL_SEPARATOR}(\d{4})(?!\d)`,
  'g',
);

/**
 * The full year of a CPR number: the first digit of the serial number and the two-digit year
 * together give the century (CPR office rules).
 */
export function cprYear(yy: number, seventhDigit: number): number {
  if (seventhDigit <= 3) return 1900 + yy;
  if (seventhDigit === 4 || seventhDigit === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/**
 * True when ten digits form a CPR number whose birth date exists and is not in the future.
 * Substitute numbers (day + 60) count. Modulus 11 is deliberately not checked: numbers without it
 * have been issued since 2007.
 */
export function isValidCpr(digits: string, now: number = Date.now()): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  const year = cprYear(Number(digits.slice(4, 6)), Number(digits[6]));
  if (day > 60) day -= 60;
  if (day < 1 || day > 31 || month < 1 || month > 12) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getTime() <= now;
}

/** Passes modulus 11: a sign of a real number, but its absence proves nothing. */
export function passesModulus11(digits: string): boolean {
  const weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(digits[i]) * (weights[i] ?? 0);
  return sum % 11 === 0;
}

/** Finds CPR numbers in any common written form. */
export const cprDetector: Detector = {
  name: 'cpr',
  *detect(text: string): Iterable<Span> {
    CPR_CANDIDATE.lastIndex = 0;
    for (let match = CPR_CANDIDATE.exec(text); match; match = CPR_CANDIDATE.exec(text)) {
      const [whole, dd, , mm, yy, serial] = match;
      const digits = `${dd}${mm}${yy}${serial}`;
      if (!isValidCpr(digits)) {
        // A candidate that is no CPR number must not swallow the digits of one that starts inside
        // it: in `tlf 20 30 40 50 050300-2467`, `40 50 05…` is tried first.
        CPR_CANDIDATE.lastIndex = match.index + 1;
        continue;
      }
      const separated = whole.length > 10;
      yield {
        kind: TokenKind.CPR,
        start: match.index,
        end: match.index + whole.length,
        // Recall first: an unseparated valid date is still replaced, only with less confidence.
        confidence: (separated ? 0.9 : 0.75) + (passesModulus11(digits) ? 0.05 : 0),
      };
    }
    yield* gluedNumbers(text);
  },
};

const GLUED_HINT = new RegExp(String.raw`${DASH}${SPACE}{0,2}\d{5}`);

/** Written with a dash before the serial, and no guard against digits on either side. */
const WRITTEN = new RegExp(
  String.raw`(\d{2})(${DATE_SEPARATOR})(\d{2})\2(\d{2})${SPACE}{0,2}${DASH}${SPACE}{0,2}(\d{4})`,
  'g',
);

/**
 * CPR numbers written with a dash and glued together, `010190-1234020290-5678`, as two adjacent text
 * nodes of a rich-text document read. A digit run is otherwise never cut, but here the dashes show
 * where each number is: each is taken when every digit it touches belongs to another such number.
 */
function* gluedNumbers(text: string): Iterable<Span> {
  // Only where a dash-written serial runs on into more digits.
  if (!GLUED_HINT.test(text)) return;
  const found: { start: number; end: number; digits: string }[] = [];
  WRITTEN.lastIndex = 0;
  for (let m = WRITTEN.exec(text); m; m = WRITTEN.exec(text)) {
    const digits = `${m[1]}${m[3]}${m[4]}${m[5]}`;
    if (isValidCpr(digits)) found.push({ start: m.index, end: m.index + m[0].length, digits });
    WRITTEN.lastIndex = m.index + 1;
  }
  const isDigit = (i: number) => /\d/.test(text[i] ?? '');
  for (const c of found) {
    const before = !isDigit(c.start - 1) || found.some((o) => o.end === c.start);
    const after = !isDigit(c.end) || found.some((o) => o.start === c.end);
    if (before && after && (isDigit(c.start - 1) || isDigit(c.end))) {
      yield { kind: TokenKind.CPR, start: c.start, end: c.end, confidence: 0.9 };
    }
  }
}
