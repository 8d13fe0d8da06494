import { TokenKind } from '../pseudonymize/token.ts';
import names from './data/names.json' with { type: 'json' };
import { allMatches, type Detector, type Span } from './span.ts';
import { type ScannedWord, Shape, scanWords } from './words.ts';

/**
 * Person names, from a gazetteer (see data/build-names.ts) and context. Many Danish names are also
 * ordinary words (Holm, Skov, Per, Bo, Hans), and Danish writes ordinary nouns in lower case, so
 * capitalization carries most of the signal: a capitalized name that is also a word counts only
 * where a sentence does not start, or next to another name, or after a greeting, closing or title.
 * Names that structured fields announce are found by the known-values detector.
 */
const FIRST_NAMES = new Set(names.firstNames.split('\n'));
const SURNAMES = new Set(names.surnames.split('\n'));
const LEXICON = new Set(names.lexicon.split('\n'));
const ALSO_WORDS = new Set(names.ambiguous.split('\n'));

/** Capitalized words that are never names in a ticket, whatever a list says. */
const NOT_NAMES = new Set(
  `Alle Borger Borgeren Borgere Borgerne Bruger Brugeren Brugere Kunde Kunden Kollega Kolleger Kollegaer Team Teamet
  Support Servicedesk Servicedesken Supporten Afdeling Afdelingen Kommune Kommunen Region Regionen Borgerservice
  Nexus Jira Cura Aula Opus Momentum Fasit Acadre Outlook Teams Windows Citrix Chrome Edge Excel Word Azure
  Microsoft Google Apple Android Hjemmeplejen Hjemmepleje Jobcenter Jobcentret Plejecenter Sygeplejerske
  Sygeplejersken Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Januar Februar Marts April Juni Juli
  September Oktober November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
  February March May June July October Du Dig Jer Jeres Vi Os De Dem Den Det Han Hun Jeg Mig Tak Igen Venlig
  Venligst Hilsen Hej Kære Mvh Dear Hello Regards Best Kind Thanks God Godt Glædelig Jul Ferie Sommer Vinter
  Forår Efterår Nord Syd Øst Vest Danmark Denmark Dansk Danske English Engelsk Min Mit Mine Din Dit Dine Job Key
  Token Tokens Digital Post Telefoni Kode Password Session Client Server User Error Incident Netto Føtex Bilka
  Irma Coop Rema Lidl Aldi Movia Systematic Netcompany Columna Konica Minolta Canon Ricoh Xerox Lenovo Dell Cisco
  Oracle Tor Løn Park Vej Skole Økonomi Personale Teknik Miljø Kultur Fritid Sundhed Ældre Handicap Beskæftigelse
  Digitalisering Byg Plan Natur Trafik Borgerrådgiver`.split(/\s+/),
);
/** Organizations, places and roles: `Ydelseskontoret`, `Integrationsteamet`, `Hedegårdsskolen`. */
const NOT_NAME_ENDING =
  /(?:team|teamet|kontor|kontoret|afdeling|afdelingen|center|centret|centeret|skole|skolen|gård|gården|service|support|huset|plejen|kommune|styrelsen|ministeriet|direktoratet|gruppen|sekretariatet|enheden|drift|systemet|portalen|ningen|heden|tionen|forvaltning|forvaltningen)$/i;

/** How a capitalized word counts as a name. */
const Strong = 3;
const First = 2; // a first name that is also a word (Per, Bo, Hans): strong only before another name
const Weak = 1; // a name from the dictionary's proper nouns, or any name that is also a word
const None = 0;
const Stop = -1;

type Class = { score: number; first: boolean };
const PATRONYMIC = /(?:sen|søn|sson)$/;
/** A word that is never a person's name in a ticket: Nexus, Kommunen, Ydelseskontoret. */
export const neverAName = (word: string) => NOT_NAMES.has(word) || NOT_NAME_ENDING.test(word);

function classOf(word: string): Class {
  if (neverAName(word)) return { score: Stop, first: false };
  const first = FIRST_NAMES.has(word);
  const listed = first || SURNAMES.has(word) || (LEXICON.has(word) && PATRONYMIC.test(word));
  if (ALSO_WORDS.has(word)) {
    return { score: first ? First : LEXICON.has(word) || listed ? Weak : None, first };
  }
  if (listed) return { score: Strong, first };
  return { score: LEXICON.has(word) ? Weak : None, first: false };
}

/** Tickets repeat their words; classifying each once keeps detection fast. Bounded, then started afresh. */
const classes = new Map<string, Class>();

/** A word as the gazetteer knows it: without a genitive (`Jens'`, `Hansens`), parts of `Hansen-Møller`. */
function classify(word: string): Class {
  let c = classes.get(word);
  if (c === undefined) {
    if (classes.size >= 50_000) classes.clear();
    c = classifyUncached(word);
    classes.set(word, c);
  }
  return c;
}

/** Without a genitive apostrophe: `Jens'` → `Jens`, `Hansen’s` → `Hansen`. */
function bare(word: string): string {
  const last = word.charCodeAt(word.length - 1);
  const apostrophe = (at: number) => word.charCodeAt(at) === 0x27 || word.charCodeAt(at) === 0x2019;
  if (apostrophe(word.length - 1)) return word.slice(0, -1);
  if (last === 0x73 && apostrophe(word.length - 2)) return word.slice(0, -2);
  return word;
}

function classifyUncached(word: string): Class {
  const parts = bare(word).split('-');
  let best = { score: None, first: false };
  for (const part of parts) {
    let c = classOf(part);
    if (c.score === None && part.endsWith('s') && part === parts.at(-1)) c = classOf(part.slice(0, -1));
    if (c.score === Stop) return c;
    if (c.score > best.score) best = c;
  }
  return best;
}

/** A word the gazetteer knows as a name, or may be one (Kowalczyk), and not one that never is. */
export const isNameWord = (word: string) => classify(word).score > None;

/** Names that are also the commonest words: `Hans søn` is more often his son than Hans's. */
const FUNCTION_WORDS = new Set([
  'Hans',
  'Per',
  'Bo',
  'Sine',
  'Mine',
  'Din',
  'Dit',
  'Vil',
  'Kan',
  'Man',
  'Alle',
]);

/**
 * A word that never stands for a person on its own, even when it was part of a name found earlier:
 * never a name (Nexus, Kommunen), or a name that is also one of the commonest words (Hans, Per).
 */
function isCommonWord(word: string): boolean {
  const w = bare(word);
  return neverAName(w) || FUNCTION_WORDS.has(w);
}

interface Word {
  start: number;
  end: number;
  score: number;
  first: boolean;
  /** Without a genitive. */
  bare: string;
}

const SENTENCE_END = /[.!?\n\r•#>–—|-]/;
const OPENERS = /[ \t\u00a0"'“”„«»([*_]/;

const INSTITUTION_BEFORE =
  /(?:huset|skolen|centret|centeret|gården|plejen|hjemmet|børnehave|vuggestue|institution)[ \t]+$/i;
const afterInstitution = (text: string, start: number) =>
  INSTITUTION_BEFORE.test(text.slice(Math.max(0, start - 40), start));

/** Nothing but spacing, quotes or bullets since a sentence, line or table cell began. */
function opensSentence(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENERS.test(text[i] ?? '')) i--;
  return i < 0 || SENTENCE_END.test(text[i] ?? '');
}

function capitalizedWords(text: string, scanned: ScannedWord[]): Word[] {
  const out: Word[] = [];
  for (const w of scanned) {
    if (w.shape !== Shape.Capitalized) continue;
    const word = text.slice(w.start, w.end);
    const { score, first } = classify(word);
    out.push({ start: w.start, end: w.end, score, first, bare: bare(word) });
  }
  return out;
}

function onlySpaces(text: string, from: number, to: number): boolean {
  if (to - from === 1 && text[from] === '_') return true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xa0) return false;
  }
  return to > from;
}

/** Runs of capitalized words separated only by spaces; a word that is never a name ends a run. */
function runs(text: string, words: Word[]): Word[][] {
  const out: Word[][] = [];
  let run: Word[] = [];
  for (const word of words) {
    const prev = run.at(-1);
    if (prev && word.score !== Stop && prev.score !== Stop && onlySpaces(text, prev.end, word.start)) {
      run.push(word);
    } else {
      if (run.length > 0) out.push(run);
      run = [word];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** `Furix 40 mg`: a drug, whatever else the word is. */
const DOSE = /^[ \t]\d+(?:[.,]\d+)?[ \t]?(?:mg|ml|g|µg|mikrogram|IE|stk|tablet)\b/;

/** Longest name a run gives, in words: first name, middle names, double surname. */
const MAX_NAME_WORDS = 4;

/** The name spans in one run of capitalized words, as [first word, last word, confidence]. */
function* namesInRun(text: string, run: Word[]): Iterable<[Word, Word, number]> {
  const named = run.filter((w) => w.score > None);
  const head = named[0];
  const tail = named.at(-1);
  if (!head || !tail || head.score === Stop) return;
  const from = run.indexOf(head);
  // In Danish only names are capitalized mid-sentence, so after a first name the whole run is the
  // name, known words or not (Fatima Abdullahi, Per Skov, Camilla Bjerg Lindholm).
  // A first name that is also a common word (Hans, Per) needs a name after it: `Hans Unilogin` is his.
  const vouched = head.score >= Strong || (run[from + 1]?.score ?? None) > None;
  const last =
    head.first && vouched
      ? Math.min(run.length - 1, from + MAX_NAME_WORDS - 1)
      : run.indexOf(tail) + (tail.first && run.indexOf(tail) + 1 < run.length ? 1 : 0);
  const end = run[last];
  if (
    end &&
    end !== head &&
    ((head.first && vouched) || named.reduce((n, w) => n + w.score, 0) >= 2 * Weak)
  ) {
    // An unknown word just before a known surname is its first name (Faadumo Hussein).
    const before = run[from - 1];
    const start = !head.first && head.score >= Strong && before?.score === None ? before : head;
    yield [start, end, 0.7];
    return;
  }
  for (const word of named) {
    if (DOSE.test(text.slice(word.end, word.end + 16))) continue;
    if (word.score >= Strong) {
      const before = run[run.indexOf(word) - 1];
      yield [!word.first && before?.score === None ? before : word, word, 0.6];
    }
    // Mid-sentence, a capital letter is the writer saying it is a name, and so is the unknown
    // capitalized word right after it (`Nabo Birte Ager`, `sagsbehandler Edina Begović`); but after
    // an institution it names the institution (`Børnehuset Mark`, `Plejecentret Solhøj`).
    else if (!opensSentence(text, word.start) && !afterInstitution(text, word.start)) {
      const after = run[run.indexOf(word) + 1];
      yield [word, after?.score === None ? after : word, 0.5];
    }
  }
}

const WORD = "\\p{Lu}[\\p{Ll}\\p{M}]+(?:-\\p{Lu}[\\p{Ll}\\p{M}]+)*(?:['’]s?)?";
const RUN = `${WORD}(?:[ \\t]+${WORD}){0,3}`;
/** Words after which a name follows; one pass finds them all, sticky patterns then read the name. */
const CUE =
  /\b(?:hej(?:sa)?|kære|goddag|godmorgen|hi|hello|dear|(?:m(?:ed )?)?v(?:enlig )?h(?:ilsen)?|kh|hilsen|(?:best |kind )?regards|fru|hr|herr|frk|dr|mrs?|ms)\b/gi;
const TITLES = new Set(['fru', 'hr', 'herr', 'frk', 'dr', 'mr', 'mrs', 'ms']);
const GREETINGS = new Set(['hej', 'hejsa', 'kære', 'goddag', 'godmorgen', 'hi', 'hello', 'dear']);
const AFTER_GREETING = new RegExp(`[ \\t]+(${RUN})`, 'uy');
const AFTER_CLOSING = new RegExp(`[.,!]?[ \\t]*(?:\\r?\\n[ \\t]*){0,2}(${RUN})`, 'uy');
const AFTER_TITLE = new RegExp(`\\.?[ \\t]+(${WORD}(?:[ \\t]+${WORD})?)`, 'uy');
/** Sloppy writers greet and sign in lower case: `hej jens`, `mvh mette larsen`. Only a known name counts. */
const AFTER_LOWER = /[.,]?[ \t]*(?:\r?\n[ \t]*)?(\p{Ll}[\p{Ll}\p{M}]+(?:[ \t]+\p{Ll}[\p{Ll}\p{M}]+)?)/uy;
/** A signature after a slash at the end of a line: `/Kasper`, `/Anne Marie`. */
const SLASH_SIGNATURE =
  /(?<![^\s(])\/[ \t]?(\p{L}[\p{Ll}\p{M}]+(?:[ \t]\p{Lu}[\p{Ll}\p{M}]+)?)[ \t]*(?:$|,)/gmu;
/** A Jira user mention in wiki markup: `[~mette.larsen]`. Account ids are opaque and stay, and so do tokens. */
const MENTION = /\[~(?!accountid:|@?[A-Z]{2,10}_[A-Z2-7]{10,16}\])([^\]|\s]+)\]/g;
/** An e-mail address in brackets right after a run of capitalized words. */
const DISPLAY_NAME = /[ \t]*[<(][^\s<>()@]+@/y;
/** An initial after a first name: `Mette F.`. */
const INITIAL = /[ \t]\p{Lu}\.(?![\p{L}\p{N}])/uy;
const capitalize = (w: string) => (w[0] ?? '').toUpperCase() + w.slice(1);

function readAt(pattern: RegExp, text: string, at: number): [number, string] | undefined {
  pattern.lastIndex = at;
  const m = pattern.exec(text);
  return m?.[1] === undefined ? undefined : [pattern.lastIndex - m[1].length, m[1]];
}

/** Lower-case words as their capitalized form classifies; sloppy texts are read word by word. Bounded. */
const lowerClasses = new Map<string, Class>();
function classifyLower(word: string): Class {
  let c = lowerClasses.get(word);
  if (c === undefined) {
    if (lowerClasses.size >= 50_000) lowerClasses.clear();
    c = classify(capitalize(word));
    lowerClasses.set(word, c);
  }
  return c;
}

/** A lower-case word that can only be a first name (`mette`, not `per` or `august`). */
const lowerFirstName = (word: string) => {
  const c = classifyLower(word);
  return c.first && c.score === Strong;
};
const lowerSurname = (word: string) => classifyLower(word).score >= Strong;

/**
 * After a greeting or closing the run of capitalized words is a name, up to a word that never is
 * one; unknown words count (`Hej Senait`), unless a word that is never a name follows them
 * (`Mvh Ballerup Kommune`). After a title the name is one or two words.
 */
function* contextNames(text: string): Iterable<Span> {
  for (const cue of allMatches(CUE, text)) {
    const word = cue[0].toLowerCase();
    const at = cue.index + cue[0].length;
    if (word === 'dr' && text[at] !== '.') continue;
    const after = TITLES.has(word) ? AFTER_TITLE : GREETINGS.has(word) ? AFTER_GREETING : AFTER_CLOSING;
    const name = readAt(after, text, at);
    if (name) {
      const [start, run] = name;
      const words = run.split(/[ \t]+/);
      const stop = words.findIndex((w) => classify(w).score === Stop);
      const kept = stop === -1 ? words : words.slice(0, stop);
      if (stop !== -1 && !kept.some((w) => classify(w).score > None)) continue;
      if (kept.length === 0) continue;
      const length =
        run.indexOf(kept.at(-1) as string, kept.slice(0, -1).join(' ').length) + (kept.at(-1)?.length ?? 0);
      yield { kind: TokenKind.NAME, start, end: start + length, confidence: 0.8 };
      continue;
    }
    const lower = TITLES.has(word) ? undefined : readAt(AFTER_LOWER, text, at);
    if (!lower) continue;
    const [start, run] = lower;
    const [first = '', second] = run.split(/[ \t]+/);
    const c = classify(capitalize(first));
    if (!(c.first && c.score >= First)) continue;
    const both = second !== undefined && lowerSurname(second);
    yield { kind: TokenKind.NAME, start, end: start + (both ? run.length : first.length), confidence: 0.7 };
  }
  for (const m of text.includes('/') ? allMatches(SLASH_SIGNATURE, text) : []) {
    const run = m[1] ?? '';
    if (run.split(/[ \t]/).some((w) => classify(w).score === Stop)) continue;
    if (/^\p{Ll}/u.test(run) && !lowerFirstName(run)) continue;
    const start = m.index + m[0].indexOf(run);
    yield { kind: TokenKind.NAME, start, end: start + run.length, confidence: 0.7 };
  }
  for (const m of text.includes('[~') ? allMatches(MENTION, text) : []) {
    yield { kind: TokenKind.NAME, start: m.index + 2, end: m.index + m[0].length - 1, confidence: 0.9 };
  }
}

/** Some people write everything in lower case; their texts start sentences in lower case. */
const SLOPPY = /(?:^|[.!?]\s+|\n)\p{Ll}/u;

/** `william sørensen`, `mig, dorte og jakob`: first names that are no ordinary word, and a surname after. */
function* lowerCaseNames(text: string, scanned: ScannedWord[]): Iterable<Span> {
  if (!SLOPPY.test(text)) return;
  const words = scanned.filter((w) => w.shape === Shape.Lower);
  for (const [i, w] of words.entries()) {
    if (!lowerFirstName(text.slice(w.start, w.end))) continue;
    const next = words[i + 1];
    const joined =
      next && onlySpaces(text, w.end, next.start) && lowerSurname(text.slice(next.start, next.end));
    yield { kind: TokenKind.NAME, start: w.start, end: joined ? next.end : w.end, confidence: 0.5 };
  }
}

export const nameDetector: Detector = {
  name: 'names',
  detect(text: string): Span[] {
    const scanned = scanWords(text);
    const found: Span[] = [...contextNames(text), ...lowerCaseNames(text, scanned)];
    const words = capitalizedWords(text, scanned);
    for (const run of runs(text, words)) {
      const last = run.at(-1) as Word;
      // The display name of an address: `From: Rajesh Subramanian <rajesh@…>`, `Edina Begović (edbe@…)`.
      DISPLAY_NAME.lastIndex = last.end;
      if (DISPLAY_NAME.test(text) && run[0] && run.every((w) => w.score !== Stop)) {
        found.push({ kind: TokenKind.NAME, start: run[0].start, end: last.end, confidence: 0.75 });
      }
      for (const [from, to, confidence] of namesInRun(text, run)) {
        INITIAL.lastIndex = to.end;
        const end = to.first && INITIAL.test(text) ? INITIAL.lastIndex : to.end;
        found.push({ kind: TokenKind.NAME, start: from.start, end, confidence });
      }
    }
    // A word once seen as part of a name is that name wherever else it is written with a capital
    // (`Per Skov ringede. Skov var vred.`), unless it is one of the commonest words.
    const known = new Set<string>();
    // Words and spans in text order: a word is in a span when a span starting before it ends after it.
    const spans = found.toSorted((a, b) => a.start - b.start);
    let next = 0;
    let reach = -1;
    for (const word of words) {
      while (next < spans.length && (spans[next] as Span).start <= word.start) {
        reach = Math.max(reach, (spans[next++] as Span).end);
      }
      if (reach < word.end) continue;
      const w = word.bare;
      if (w.length >= 3 && !isCommonWord(w)) known.add(w);
    }
    if (known.size === 0) return found;
    for (const word of words) {
      const w = word.bare;
      if (known.has(w) || (w.endsWith('s') && known.has(w.slice(0, -1)))) {
        found.push({ kind: TokenKind.NAME, start: word.start, end: word.end, confidence: 0.55 });
      }
    }
    return found;
  },
};
