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
// A compound ending in a street word (Bytoften), or the street word alone (Lunden, Vang, Brygge).
const STREET_SUFFIX_GROUP = `\\p{Ll}(?:${STREET_SUFFIX})|(?<![\\p{L}])(?:${capitalized(STREET_SUFFIX)})`;
const STREET_WORD = 'Vej|Vejen|Gade|Allé|Alle|Plads|Torv|Boulevard|Vænge|Stræde|Park|Have|Bakke|Høj';
// The suffix is checked once per word by a lookbehind; earlier words of the name are read backwards.
const STREET = new RegExp(
  String.raw`(?<![\p{L}\p{N}])\p{Lu}[\p{Ll}.'’-]*(?<=${STREET_SUFFIX_GROUP}|^${STREET_WORD}|[^\p{L}]${STREET_WORD})[ \t]+${HOUSE}`,
  'gu',
);
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
    for (const m of allMatches(STREET, text)) {
      const end = m.index + m[0].replace(/[ \t,]+$/, '').length;
      const before = WORDS_BEFORE.exec(text.slice(Math.max(0, m.index - 60), m.index))?.[0].length ?? 0;
      yield { kind: TokenKind.ADDR, start: m.index - before, end, confidence: 0.8 };
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
