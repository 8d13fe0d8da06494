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
  return /^\d{10}$/.test(digits) && isValidCprDigits(digits, now);
}

/** isValidCpr for ten ASCII digits. */
function isValidCprDigits(digits: string, now: number): boolean {
  const seventh = digits.charCodeAt(6) - 48;
  return isValidCprDate(twoDigits(digits, 0), twoDigits(digits, 2), twoDigits(digits, 4), seventh, now);
}

/** The date check of isValidCpr on numbers, without slices or Date objects. */
function isValidCprDate(
  dayOrSubstitute: number,
  month: number,
  yy: number,
  seventh: number,
  now: number,
): boolean {
  const day = dayOrSubstitute > 60 ? dayOrSubstitute - 60 : dayOrSubstitute;
  const year = cprYear(yy, seventh);
  if (day < 1 || day > 31 || month < 1 || month > 12) return false;
  return day <= daysInMonth(year, month) && Date.UTC(year, month - 1, day) <= now;
}

const twoDigits = (digits: string, at: number) =>
  (digits.charCodeAt(at) - 48) * 10 + digits.charCodeAt(at + 1) - 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days in a month of the (proleptic) Gregorian calendar, as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Passes modulus 11: a sign of a real number, but its absence proves nothing. */
export function passesModulus11(digits: string): boolean {
  const weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(digits[i]) * (weights[i] ?? 0);
  return sum % 11 === 0;
}

const MODULUS_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
/** passesModulus11 for ten ASCII digits. */
function passesModulus11Digits(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (digits.charCodeAt(i) - 48) * (MODULUS_WEIGHTS[i] ?? 0);
  return sum % 11 === 0;
}

/** The longest CPR_CANDIDATE: three pairs, two date separators and a serial separator of five, four digits. */
const MAX_CANDIDATE_LENGTH = 2 + 5 + 2 + 5 + 2 + 5 + 4;
/** Four digits that no digit follows: how every CPR_CANDIDATE ends (and a quick scan, unlike `\d{4}`). */
const FINAL_DIGITS = /\d\d\d\d(?!\d)/g;

/** Finds CPR numbers in any common written form. */
export const cprDetector: Detector = {
  name: 'cpr',
  detect(text: string): Span[] {
    const spans: Span[] = [];
    // No candidate starts further before the first four final digits than the longest is long.
    FINAL_DIGITS.lastIndex = 0;
    if (!FINAL_DIGITS.test(text)) return spans;
    const firstFinal = FINAL_DIGITS.lastIndex;
    const now = Date.now();
    CPR_CANDIDATE.lastIndex = Math.max(0, firstFinal - MAX_CANDIDATE_LENGTH);
    for (let match = CPR_CANDIDATE.exec(text); match; match = CPR_CANDIDATE.exec(text)) {
      const whole = match[0];
      const dd = match[1] ?? '';
      const mm = match[3] ?? '';
      const yy = match[4] ?? '';
      const serial = match[5] ?? '';
      if (
        !isValidCprDate(twoDigits(dd, 0), twoDigits(mm, 0), twoDigits(yy, 0), serial.charCodeAt(0) - 48, now)
      ) {
        // A candidate that is no CPR number must not swallow the digits of one that starts inside
        // it: in `tlf 20 30 40 50 050300-2467`, `40 50 05…` is tried first.
        CPR_CANDIDATE.lastIndex = match.index + 1;
        continue;
      }
      const separated = whole.length > 10;
      const digits = `${dd}${mm}${yy}${serial}`;
      spans.push({
        kind: TokenKind.CPR,
        start: match.index,
        end: match.index + whole.length,
        // Recall first: an unseparated valid date is still replaced, only with less confidence.
        confidence: (separated ? 0.9 : 0.75) + (passesModulus11Digits(digits) ? 0.05 : 0),
      });
    }
    gluedNumbers(text, firstRunStart(text, firstFinal), now, spans);
    return spans;
  },
};

/**
 * A dash, up to two spaces and five digits: `${DASH}${SPACE}{0,2}\d{5}`, written digits first and
 * spelled out so that the scan skips ahead to digits (several times faster on text).
 */
const GLUED_HINT = new RegExp(String.raw`\d\d\d\d\d(?<=${DASH}${SPACE}{0,2}\d{5})`, 'g');

/**
 * The start of the run of digits that ends at `end`: the first run of four or more, found by
 * FINAL_DIGITS, so no run of five digits (GLUED_HINT) starts before it.
 */
function firstRunStart(text: string, end: number): number {
  let start = end - 4;
  while (start > 0 && isDigitAt(text, start - 1)) start--;
  return start;
}

function isDigitAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 48 && code <= 57;
}

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
function gluedNumbers(text: string, from: number, now: number, spans: Span[]): void {
  // Only where a dash-written serial runs on into more digits.
  GLUED_HINT.lastIndex = from;
  if (!GLUED_HINT.test(text)) return;
  const found: { start: number; end: number; digits: string }[] = [];
  // A serial's four digits are in a run of four or more, so none is before `from`; the date before it
  // is at most 21 long.
  WRITTEN.lastIndex = Math.max(0, from - 21);
  for (let m = WRITTEN.exec(text); m; m = WRITTEN.exec(text)) {
    const digits = `${m[1]}${m[3]}${m[4]}${m[5]}`;
    if (isValidCprDigits(digits, now)) found.push({ start: m.index, end: m.index + m[0].length, digits });
    WRITTEN.lastIndex = m.index + 1;
  }
  const isDigit = (i: number) => isDigitAt(text, i);
  // Sets, not a search of `found` per number: a text of thousands of them took seconds.
  const starts = new Set(found.map((o) => o.start));
  const ends = new Set(found.map((o) => o.end));
  for (const c of found) {
    const before = !isDigit(c.start - 1) || ends.has(c.start);
    const after = !isDigit(c.end) || starts.has(c.end);
    if (before && after && (isDigit(c.start - 1) || isDigit(c.end))) {
      spans.push({ kind: TokenKind.CPR, start: c.start, end: c.end, confidence: 0.9 });
    }
  }
}
