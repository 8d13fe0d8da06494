import { TokenKind } from '../pseudonymize/token.ts';
import names from './data/names.json' with { type: 'json' };
import type { Detector, Span } from './span.ts';

/**
 * Person names by context, with a gazetteer of first names (see data/build-names.ts). Many Danish names
 * are also ordinary words (Holm, Skov, Per, Bo, Hans), so a name is only taken where something says it
 * is one: a known first name followed by a capitalized word, a greeting, a signature, or a title.
 * Names that structured fields announce are found by the known-values detector.
 */
const FIRST_NAMES = new Set(names.firstNames);
const KNOWN = new Set([...names.firstNames, ...names.surnames]);

/** Capitalized words that follow greetings and closings without being names. */
const NOT_NAMES = new Set(
  `Alle Borger Borgeren Borgere Bruger Brugeren Brugere Kunde Kunden Kollega Kolleger Kollegaer Team Teamet Support
  Servicedesk Servicedesken Supporten Afdeling Afdelingen Kommune Kommunen Region Regionen Borgerservice Nexus Jira
  Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Januar Februar Marts April Maj Juni Juli August September
  Oktober November December Du Dig Jer Jeres Vi Os Tak Igen Venlig Venligst`.split(/\s+/),
);

const WORD = "[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèêçñ]+(?:-[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèêçñ]+)?(?:['’]s?)?";
const RUN = `${WORD}(?:[ \\t]+${WORD}){0,3}`;

const GREETING = new RegExp(`\\b(?:Hej|Hejsa|Kære|Goddag|Godmorgen|Hi|Hello|Dear)[ \\t]+(${RUN})`, 'g');
const CLOSING = new RegExp(
  `\\b(?:[Mm]vh|[Mm]ed venlig hilsen|[Vv]enlig hilsen|[Vv]h|[Kk]h|[Hh]ilsen|[Bb]est regards|[Kk]ind regards|[Rr]egards)[.,!]?[ \\t]*(?:\\r?\\n[ \\t]*){0,2}(${RUN})`,
  'g',
);
const TITLE = new RegExp(
  `\\b(?:[Ff]ru|[Hh]r\\.?|[Hh]err|[Ff]rk\\.?|[Dd]r\\.)[ \\t]+(${WORD}(?:[ \\t]+${WORD})?)`,
  'g',
);
const CAPITALIZED_WORD = new RegExp(`(?<![\\p{L}\\p{N}_])${WORD}`, 'gu');
/** A run of two to four capitalized words, read from a given position (sticky). */
const RUN_AT = new RegExp(`${WORD}(?:[ \\t]+${WORD}){1,3}`, 'uy');

const bare = (word: string) => word.replace(/['’]s?$/, '');
const words = (run: string) => run.split(/[ \t]+/);

/**
 * How much of a run of capitalized words is a name, in characters. After a greeting, closing or
 * title (`strict` false) the run is all or nothing: `Mvh Ballerup Kommune` is no name at all. After a
 * known first name (`strict`) it ends before the first word that is not a name, and unknown words are
 * only taken right after the first name.
 */
function nameLength(run: string, strict: boolean): number {
  let length = 0;
  for (const [i, word] of words(run).entries()) {
    const part = bare(word);
    if (NOT_NAMES.has(part)) return strict ? length : 0;
    if (strict && i > 1 && !KNOWN.has(part.split('-')[0] ?? part)) break;
    length = run.indexOf(word, length) + word.length;
  }
  return length;
}

export const nameDetector: Detector = {
  name: 'names',
  *detect(text: string): Iterable<Span> {
    for (const [pattern, confidence] of [
      [GREETING, 0.8],
      [CLOSING, 0.8],
      [TITLE, 0.8],
    ] as const) {
      for (const match of text.matchAll(pattern)) {
        const run = match[1] ?? '';
        const start = match.index + match[0].length - run.length;
        const length = nameLength(run, false);
        if (length > 0) yield { kind: TokenKind.NAME, start, end: start + length, confidence };
      }
    }
    for (const first of text.matchAll(CAPITALIZED_WORD)) {
      if (!FIRST_NAMES.has(bare(first[0]))) continue;
      RUN_AT.lastIndex = first.index;
      const run = RUN_AT.exec(text)?.[0] ?? '';
      const length = nameLength(run, true);
      // A first name alone is too often an ordinary word (Per, Bo, Hans); it needs a second word.
      if (length > first[0].length + 1) {
        yield { kind: TokenKind.NAME, start: first.index, end: first.index + length, confidence: 0.7 };
      }
    }
  },
};
