import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Danish postal addresses: a street and house number (with floor and side), and a postcode with its
 * town. Street names nearly always end in a word for a street (Bytoften, Hovedgaden, Gammel Kongevej,
 * H.C. Andersens Boulevard), which is what separates `Bytoften 12` from `Nexus 4`.
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

/**
 * Where a street and house number may be: a word of lower-case letters (and `.'’-`) before spaces and a
 * digit. Only there is the word read backwards and checked; a regex that tried every capital was slow.
 */
const BEFORE_NUMBER = /[\p{Ll}.'’-][ \t]+(?=\d)/gu;
const WORD_TAIL = /[\p{Ll}.'’-]/u;
const CAPITAL = /\p{Lu}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const HOUSE_AT = new RegExp(HOUSE, 'uy');

/** Streets with a house number, as [start, end] of the street word and number. */
function* streets(text: string): Iterable<[number, number]> {
  let done = 0;
  for (const m of allMatches(BEFORE_NUMBER, text)) {
    if (m.index < done) continue;
    let start = m.index;
    while (start > 0 && WORD_TAIL.test(text[start - 1] ?? '')) start--;
    start--;
    if (start < 0 || !CAPITAL.test(text[start] ?? '') || LETTER_OR_DIGIT.test(text[start - 1] ?? ''))
      continue;
    if (!isStreetWord(text.slice(start, m.index + 1))) continue;
    HOUSE_AT.lastIndex = m.index + m[0].length;
    const house = HOUSE_AT.exec(text);
    if (!house) continue;
    done = HOUSE_AT.lastIndex;
    yield [start, m.index + m[0].length + house[0].replace(/[ \t,]+$/, '').length];
  }
}
const WORDS_BEFORE = /(?:(?:\p{Lu}[\p{L}.'’-]*|\d{1,2}\.)[ \t]){1,3}$/u;

const DIGIT = /\d/;

/** After a word that announces one, any capitalized words and a number are an address. */
const ANNOUNCED = new RegExp(
  String.raw`\b(?:[Aa]dressen?|[Bb]opæl|[Bb]opælsadresse|bor på|bosat på|flyttet til|[Aa]ddress)[ \t]*:?[ \t]*((?:\p{Lu}[\p{L}.'’-]*[ \t]){1,4}${HOUSE})`,
  'gu',
);

/** `2750 Ballerup`, `1050 København K`, `DK-8000 Aarhus C`. */
const POSTCODE_TOWN =
  /(?<![\p{L}\p{N}.,:/-])(?:DK-?)?([1-9]\d{3})[ \t]+\p{Lu}[\p{Ll}]+(?:[ -]\p{Lu}[\p{Ll}]+)?(?:[ \t](?:NØ|NV|SØ|SV|[NSØVCK])(?!\p{L}))?(?![\p{L}\p{N}])/gu;
/** `Session: 4711 Client` is a label and a number; `Adresse: 2750 Ballerup` and `By: …` are addresses. */
const LABELLED = /(?<!(?:adresse|bopæl|by|postnr|postnummer|address|city))[ \t]*:[ \t]*$/i;
/** Capitalized words that follow a four-digit number without being a town. */
const NOT_TOWNS = new Set(
  `Januar Februar Marts April Maj Juni Juli August September Oktober November December Mandag Tirsdag Onsdag
  Torsdag Fredag Lørdag Søndag Kr Kroner Borgere Borgeren Brugere Server Windows Office Ms Mb Kb Gb Timer Dage
  Sager Fejl Error Tickets Stk Styk`.split(/\s+/),
);

export const addressDetector: Detector = {
  name: 'address',
  *detect(text: string): Iterable<Span> {
    // Every address here has a number.
    if (!DIGIT.test(text)) return;
    for (const [start, end] of streets(text)) {
      const before = WORDS_BEFORE.exec(text.slice(Math.max(0, start - 60), start))?.[0].length ?? 0;
      yield { kind: TokenKind.ADDR, start: start - before, end, confidence: 0.8 };
    }
    for (const m of allMatches(ANNOUNCED, text)) {
      const value = (m[1] ?? '').replace(/[ \t,]+$/, '');
      const start = m.index + m[0].length - (m[1] ?? '').length;
      yield { kind: TokenKind.ADDR, start, end: start + value.length, confidence: 0.85 };
    }
    for (const m of allMatches(POSTCODE_TOWN, text)) {
      const code = Number(m[1]);
      const town = m[0].replace(/^(?:DK-?)?\d{4}[ \t]+/, '').split(/[ -]/)[0] ?? '';
      if (NOT_TOWNS.has(town) || LABELLED.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
      // Years read like postcodes; the only postcode among 2001-2099 is none, so those need a street.
      if (code > 2000 && code < 2100 && !/\d[ \t]?[A-Za-z]?\.?,?[ \t]*$/.test(text.slice(0, m.index)))
        continue;
      yield { kind: TokenKind.ADDR, start: m.index, end: m.index + m[0].length, confidence: 0.75 };
    }
  },
};
