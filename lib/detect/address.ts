import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

/**
 * Danish postal addresses: a street and house number (with floor and side), and a postcode with its
 * town. Street names nearly always end in a word for a street (Bytoften, Hovedgaden, Gammel Kongevej,
 * H.C. Andersens Boulevard), which is what separates `Bytoften 12` from `Nexus 4`.
 *
 * Speed: every address has a digit, so one loop over the char codes finds the digits where a street
 * number or a postcode can be, and the regexes run sticky (`y`) only there. Regexes that tried every
 * position (lookbehinds, `\p` classes, a leading alternation) were most of the time.
 */
const capitalized = (alternatives: string) =>
  alternatives
    .split('|')
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join('|');
const STREET_SUFFIX =
  'vej|vejen|gade|gaden|allé|alle|alléen|vænge|vænget|stræde|torv|torvet|plads|parken|park|boulevard|toften|toft|stien|sti|bakken|bakke|høj|højen|haven|have|engen|eng|marken|vangen|vang|kær|kæret|lunden|skoven|krogen|hegnet|ager|agre|gården|gård|huse|broen|strand|diget|dige|kvarter|løkke|løkken|tofte|banke|bjerg|bjerget|hus|holm|ås|åsen|dal|dalen|rækken|ringen|bue|buen|brynet|bryn|bro|brygge|bryggen|mosen|mose|kilde|kilden|lyngen|lyng|hegn|skrænten|stykket|spjældet|vejle|sletten|slette|lunde|lund|enge|skov';
const HOUSE = String.raw`\d{1,4}(?:-\d{1,4})?[ \t]?[A-Za-z]?(?![\p{L}\p{N}])(?:,?[ \t]*(?:(?:st|kl)\b\.?|\d{1,2}\.)(?:[ \t]*(?:th|tv|mf|sal|\d{1,3}(?![\d.]))\b\.?)?)?`;
const SUFFIXES = STREET_SUFFIX.split('|');
/** Street words written as a word of their own after a name: `Lyngby Vej`, `H.C. Andersens Boulevard`. */
const STREET_WORDS = new Set([
  'Vej',
  'Vejen',
  'Gade',
  'Allé',
  'Alle',
  'Plads',
  'Torv',
  'Boulevard',
  'Vænge',
  'Stræde',
  'Park',
  'Have',
  'Bakke',
  'Høj',
]);
const ALONE = new Set([...STREET_WORDS, ...capitalized(STREET_SUFFIX).split('|')]);
const LOWER = /\p{Ll}/u;

/** A word that names a street: a compound ending in a street word (Bytoften), or the street word alone (Lunden, Vang). */
function isStreetWord(word: string): boolean {
  if (ALONE.has(word)) return true;
  // The suffix follows a lower-case letter after the capital: `Bytoften`, not `Toften` (alone, above).
  return SUFFIXES.some(
    (s) =>
      word.length > s.length + 1 && word.endsWith(s) && LOWER.test(word[word.length - s.length - 1] ?? ''),
  );
}

/** A word's tail: lower-case letters and `.'’-`. */
const WORD_TAIL = /[\p{Ll}.'’-]/u;
const CAPITAL = /\p{Lu}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Which of the classes above a UTF-16 code unit is in, as bits; filled from the regexes on first sight,
 * so it is exact (a lone surrogate is in none) without testing all 65,536 at start-up.
 */
const IS_TAIL = 1;
const IS_CAPITAL = 2;
const IS_LETTER_OR_DIGIT = 4;
const KNOWN = 8;
const codeClasses = new Uint8Array(65536);
function classOf(code: number): number {
  let bits = codeClasses[code] ?? 0;
  if (bits === 0) {
    const ch = String.fromCharCode(code);
    bits =
      KNOWN |
      (WORD_TAIL.test(ch) ? IS_TAIL : 0) |
      (CAPITAL.test(ch) ? IS_CAPITAL : 0) |
      (LETTER_OR_DIGIT.test(ch) ? IS_LETTER_OR_DIGIT : 0);
    codeClasses[code] = bits;
  }
  return bits;
}
/** classOf the code unit at i, 0 outside the text. */
const classAt = (text: string, i: number) => (i >= 0 && i < text.length ? classOf(text.charCodeAt(i)) : 0);

const isDigitCode = (code: number) => code >= 48 && code <= 57;
const isBlankCode = (code: number) => code === 32 || code === 9;

/**
 * Where a street and house number may be: a word of lower-case letters (and `.'’-`) before spaces and a
 * digit. Only there is the word read backwards and checked; a regex that tried every capital was slow.
 * Returns the start of that last word character (as `/[\p{Ll}.'’-][ \t]+(?=\d)/gu` would match it) for
 * the digit at `digit`, or -1.
 */
function beforeNumber(text: string, digit: number): number {
  let blank = digit - 1;
  if (blank < 0 || !isBlankCode(text.charCodeAt(blank))) return -1;
  while (blank > 0 && isBlankCode(text.charCodeAt(blank - 1))) blank--;
  const last = blank - 1;
  if (last < 0) return -1;
  const code = text.charCodeAt(last);
  // A lower-case letter outside the BMP: the regex reads the surrogate pair as one character.
  if (code >= 0xdc00 && code <= 0xdfff && last > 0) {
    const high = text.charCodeAt(last - 1);
    if (high >= 0xd800 && high <= 0xdbff)
      return WORD_TAIL.test(text.slice(last - 1, last + 1)) ? last - 1 : -1;
  }
  return classOf(code) & IS_TAIL ? last : -1;
}

const HOUSE_AT = new RegExp(HOUSE, 'uy');
const TRAILING_SEPARATORS = /[ \t,]+$/;

/** A street with a house number at the digit `digit`, or null; `done` is where the last one ended. */
function streetAt(
  text: string,
  digit: number,
  done: number,
): { start: number; end: number; done: number } | null {
  const index = beforeNumber(text, digit);
  if (index < done || index < 0) return null;
  let start = index;
  while (start > 0 && classOf(text.charCodeAt(start - 1)) & IS_TAIL) start--;
  start--;
  if (start < 0 || !(classAt(text, start) & IS_CAPITAL) || classAt(text, start - 1) & IS_LETTER_OR_DIGIT)
    return null;
  if (!isStreetWord(text.slice(start, index + 1))) return null;
  HOUSE_AT.lastIndex = digit;
  const house = HOUSE_AT.exec(text);
  if (!house) return null;
  return { start, end: digit + house[0].replace(TRAILING_SEPARATORS, '').length, done: HOUSE_AT.lastIndex };
}

const WORDS_BEFORE = /(?:(?:\p{Lu}[\p{L}.'’-]*|\d{1,2}\.)[ \t]){1,3}$/u;
/** Capitalized words (`Gammel `, `H.C. Andersens `) before a street word: the length, read on the 60 characters before it. */
const wordsBefore = (text: string, start: number) =>
  WORDS_BEFORE.exec(text.slice(Math.max(0, start - 60), start))?.[0].length ?? 0;

/** After a word that announces one, any capitalized words and a number are an address. */
const ANNOUNCED = new RegExp(
  String.raw`\b(?:[Aa]dressen?|[Bb]opæl|[Bb]opælsadresse|bor på|bosat på|flyttet til|[Aa]ddress)[ \t]*:?[ \t]*((?:\p{Lu}[\p{L}.'’-]*[ \t]){1,4}${HOUSE})`,
  'uy',
);
/**
 * A fragment of each announcing word, and how far before the fragment the word starts: `dress` is in
 * both `Adresse` (1) and `Address` (2).
 */
const ANNOUNCING = /dress|opæl|bor på|bosat på|flyttet til/g;
const ANNOUNCING_OFFSETS: Record<string, readonly number[]> = {
  dress: [2, 1],
  opæl: [1],
  'bor på': [0],
  'bosat på': [0],
  'flyttet til': [0],
};

/** Where an announcing word may start: where ANNOUNCED may match, tried only there (the words are rare). */
function announcingStarts(text: string): number[] {
  const starts: number[] = [];
  ANNOUNCING.lastIndex = 0;
  for (let m = ANNOUNCING.exec(text); m; m = ANNOUNCING.exec(text)) {
    for (const offset of ANNOUNCING_OFFSETS[m[0]] ?? []) starts.push(m.index - offset);
  }
  return starts;
}

/** ANNOUNCED at each possible start, in text order, as the global regex would find them. */
function announced(text: string, starts: number[], out: Span[]): void {
  starts.sort((a, b) => a - b);
  let done = 0;
  for (const at of starts) {
    if (at < done) continue;
    ANNOUNCED.lastIndex = at;
    const m = ANNOUNCED.exec(text);
    if (!m) continue;
    done = ANNOUNCED.lastIndex;
    const value = (m[1] ?? '').replace(TRAILING_SEPARATORS, '');
    const start = m.index + m[0].length - (m[1] ?? '').length;
    out.push({ kind: TokenKind.ADDR, start, end: start + value.length, confidence: 0.85 });
  }
}

/** `2750 Ballerup`, `1050 København K`, `DK-8000 Aarhus C`. */
const POSTCODE_TOWN =
  /(?<![\p{L}\p{N}.,:/-])(?:DK-?)?([1-9]\d{3})[ \t]+\p{Lu}[\p{Ll}]+(?:[ -]\p{Lu}[\p{Ll}]+)?(?:[ \t](?:NØ|NV|SØ|SV|[NSØVCK])(?!\p{L}))?(?![\p{L}\p{N}])/uy;
/** `Session: 4711 Client` is a label and a number; `Adresse: 2750 Ballerup` and `By: …` are addresses. */
const LABELLED = /(?<!(?:adresse|bopæl|by|postnr|postnummer|address|city)[ \t]*)[ \t]*:[ \t]*$/i;
/** Capitalized words that follow a four-digit number without being a town. */
const NOT_TOWNS = new Set(
  `Januar Februar Marts April Maj Juni Juli August September Oktober November December Mandag Tirsdag Onsdag
  Torsdag Fredag Lørdag Søndag Kr Kroner Borgere Borgeren Brugere Server Windows Office Ms Mb Kb Gb Timer Dage
  Sager Fejl Error Tickets Stk Styk`.split(/\s+/),
);
const AFTER_HOUSE_NUMBER = /\d[ \t]?[A-Za-z]?\.?,?[ \t]*$/;

/**
 * Whether four digits and a blank start at `i`, the first not 0 and no digit before: the only place
 * a postcode's digits can be (POSTCODE_TOWN's lookbehind refuses a digit before them or before `DK`).
 */
function isPostcodeDigits(text: string, i: number): boolean {
  const first = text.charCodeAt(i);
  return (
    !isDigitCode(text.charCodeAt(i - 1)) &&
    first >= 49 &&
    first <= 57 &&
    isDigitCode(text.charCodeAt(i + 1)) &&
    isDigitCode(text.charCodeAt(i + 2)) &&
    isDigitCode(text.charCodeAt(i + 3)) &&
    isBlankCode(text.charCodeAt(i + 4))
  );
}

/** POSTCODE_TOWN for the postcode digits at `digits`: tried at `DK-`, `DK` and the digits, in text order. */
function postcodeAt(text: string, digits: number, done: number): RegExpExecArray | null {
  return (
    postcodeFrom(text, digits - 3, done, 'DK-') ??
    postcodeFrom(text, digits - 2, done, 'DK') ??
    postcodeFrom(text, digits, done, '')
  );
}

function postcodeFrom(text: string, at: number, done: number, prefix: string): RegExpExecArray | null {
  if (at < done || !text.startsWith(prefix, at)) return null;
  POSTCODE_TOWN.lastIndex = at;
  return POSTCODE_TOWN.exec(text);
}

/** Whether the text before `end` ends in a label other than an address's (LABELLED, on the 40 before). */
function isLabelled(text: string, end: number): boolean {
  const from = Math.max(0, end - 40);
  // LABELLED needs a colon and blanks at the end; most postcodes have none.
  let colon = end - 1;
  while (colon >= from && isBlankCode(text.charCodeAt(colon))) colon--;
  if (colon < from || text.charCodeAt(colon) !== 58) return false;
  return LABELLED.test(text.slice(from, end));
}

/** Whether a house number ends right before `end` (AFTER_HOUSE_NUMBER, on the few characters it can see). */
function followsHouseNumber(text: string, end: number): boolean {
  let blank = end;
  while (blank > 0 && isBlankCode(text.charCodeAt(blank - 1))) blank--;
  // Before the blanks the pattern has at most five characters: digit, blank, letter, dot, comma.
  return AFTER_HOUSE_NUMBER.test(text.slice(Math.max(0, blank - 5), end));
}

function postcodeSpan(text: string, m: RegExpExecArray): Span | null {
  const code = Number(m[1]);
  const town = m[0].replace(/^(?:DK-?)?\d{4}[ \t]+/, '').split(/[ -]/)[0] ?? '';
  if (NOT_TOWNS.has(town) || isLabelled(text, m.index)) return null;
  // Years read like postcodes; the only postcode among 2001-2099 is none, so those need a street.
  if (code > 2000 && code < 2100 && !followsHouseNumber(text, m.index)) return null;
  return { kind: TokenKind.ADDR, start: m.index, end: m.index + m[0].length, confidence: 0.75 };
}

/**
 * Where a street number or a house number after capitalized words may be: a word character, blanks and
 * a digit (the class is `[\p{L}.'’-]` in Latin-1 and anything above, which the code checks); or where a
 * postcode may be: four digits before a blank. The lookahead leaves the blank for the next match.
 */
const NUMBER_CANDIDATE = /[A-Za-z.'\-\xaa\xb5\xba\xc0-\xd6\xd8-\xf6\xf8-\uffff][ \t]+\d|[1-9]\d{3}(?=[ \t])/g;
const DIGIT = /\d/g;

export const addressDetector: Detector = {
  name: 'address',
  detect(text: string): Span[] {
    const streets: Span[] = [];
    const postcodes: Span[] = [];
    let streetDone = 0;
    let postcodeDone = 0;
    // Every address has a digit; the candidates start at the first or at the character before its blanks.
    DIGIT.lastIndex = 0;
    if (!DIGIT.test(text)) return streets;
    let first = DIGIT.lastIndex - 1;
    while (first > 0 && isBlankCode(text.charCodeAt(first - 1))) first--;
    NUMBER_CANDIDATE.lastIndex = Math.max(0, first - 1);
    // test() allocates no match: the end tells which alternative matched, a blank two back is `[ \t]\d`.
    while (NUMBER_CANDIDATE.test(text)) {
      const end = NUMBER_CANDIDATE.lastIndex;
      const afterBlank = isBlankCode(text.charCodeAt(end - 2));
      const digit = afterBlank ? end - 1 : end - 4;
      if (afterBlank) {
        const street = streetAt(text, digit, streetDone);
        if (street) {
          streetDone = street.done;
          const before = wordsBefore(text, street.start);
          streets.push({
            kind: TokenKind.ADDR,
            start: street.start - before,
            end: street.end,
            confidence: 0.8,
          });
        }
      }
      if (digit >= postcodeDone && isPostcodeDigits(text, digit)) {
        const m = postcodeAt(text, digit, postcodeDone);
        if (m) {
          postcodeDone = m.index + m[0].length;
          const span = postcodeSpan(text, m);
          if (span) postcodes.push(span);
        }
      }
    }
    const announcing = announcingStarts(text);
    if (announcing.length > 0) announced(text, announcing, streets);
    for (const span of postcodes) streets.push(span);
    return streets;
  },
};
