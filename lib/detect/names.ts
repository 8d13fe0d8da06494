import { TokenKind } from '../pseudonymize/token.ts';
import names from './data/names.json' with { type: 'json' };
import { allMatches, type Detector, type Span } from './span.ts';
import { createWordTable, isSpace, Shape, scanWordTable, WordCache, type WordTable } from './words.ts';

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
const classes = new WordCache<Class>(50_000, (word) => classifyUncached(word));

/** A word as the gazetteer knows it: without a genitive (`Jens'`, `Hansens`), parts of `Hansen-Møller`. */
const classify = (word: string) => classes.get(word, 0, word.length);

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

/** What a capitalized word is; worked out once per word, as tickets repeat their words. */
interface WordInfo {
  score: number;
  first: boolean;
  /** Without a genitive. */
  bare: string;
  /** {@link bare} without a final `s` (`Hansens`), if it has one. */
  stem: string | undefined;
  /** Whether the word, once part of a name, is that name elsewhere too. */
  recalled: boolean;
}

interface Word {
  start: number;
  end: number;
  score: number;
  first: boolean;
  info: WordInfo;
}

/** A membership table for UTF-16 code units: a lookup per character instead of a regex test. */
function codeUnits(chars: string): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

const SENTENCE_END = codeUnits('.!?\n\r•#>–—|-');
const OPENERS = codeUnits(' \t\u00a0"\'“”„«»([*_');

const INSTITUTION_BEFORE =
  /(?:huset|skolen|centret|centeret|gården|plejen|hjemmet|børnehave|vuggestue|institution)[ \t]+$/i;
/** The last letters of the institutions above: a cheap test before the pattern. */
const INSTITUTION_LAST = codeUnits('tneTNE');
const isSpaceOrTab = (c: number) => c === 32 || c === 9;

function afterInstitution(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && isSpaceOrTab(text.charCodeAt(i))) i--;
  if (i === start - 1 || INSTITUTION_LAST[text.charCodeAt(i)] !== 1) return false;
  return INSTITUTION_BEFORE.test(text.slice(Math.max(0, start - 40), start));
}

/** Nothing but spacing, quotes or bullets since a sentence, line or table cell began. */
function opensSentence(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENERS[text.charCodeAt(i)] === 1) i--;
  return i < 0 || SENTENCE_END[text.charCodeAt(i)] === 1;
}

const capitalizedInfo = new WordCache<WordInfo>(50_000, (word) => {
  const { score, first } = classify(word);
  const w = bare(word);
  const stem = w.endsWith('s') ? w.slice(0, -1) : undefined;
  return { score, first, bare: w, stem, recalled: w.length >= 3 && !isCommonWord(w) };
});

/** The capitalized words of a scanned text, classified. */
function capitalizedWords(text: string, table: WordTable): Word[] {
  const out: Word[] = [];
  for (let k = 0; k < table.count; k++) {
    if (table.shape[k] !== Shape.Capitalized) continue;
    const start = table.start[k] as number;
    const end = table.end[k] as number;
    const info = capitalizedInfo.get(text, start, end);
    out.push({ start, end, score: info.score, first: info.first, info });
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

/** `Furix 40 mg`: a drug, whatever else the word is. */
const DOSE = /^[ \t]\d+(?:[.,]\d+)?[ \t]?(?:mg|ml|g|µg|mikrogram|IE|stk|tablet)\b/;

function doseAt(text: string, at: number): boolean {
  const digit = text.charCodeAt(at + 1);
  if (!isSpaceOrTab(text.charCodeAt(at)) || !(digit >= 0x30 && digit <= 0x39)) return false;
  return DOSE.test(text.slice(at, at + 16));
}

/** Longest name a run gives, in words: first name, middle names, double surname. */
const MAX_NAME_WORDS = 4;

/** An initial after a first name: `Mette F.`. */
const INITIAL = /[ \t]\p{Lu}\.(?![\p{L}\p{N}])/uy;

/** The name from word `from` to word `to`, with an initial after a first name (`Mette F.`). */
function pushName(text: string, found: Span[], from: Word, to: Word, confidence: number): void {
  INITIAL.lastIndex = to.end;
  const end = to.first && INITIAL.test(text) ? INITIAL.lastIndex : to.end;
  found.push({ kind: TokenKind.NAME, start: from.start, end, confidence });
}

/**
 * The names in one run of capitalized words separated only by spaces, `words[from..to)`. A word that
 * is never a name (score Stop) stands in a run of its own.
 */
function namesInRun(text: string, words: Word[], from: number, to: number, found: Span[]): void {
  let head = -1;
  let tail = -1;
  let sum = 0;
  for (let k = from; k < to; k++) {
    const score = (words[k] as Word).score;
    if (score <= None) continue;
    if (head === -1) head = k;
    tail = k;
    sum += score;
  }
  if (head === -1) return;
  const h = words[head] as Word;
  const t = words[tail] as Word;
  // In Danish only names are capitalized mid-sentence, so after a first name the whole run is the
  // name, known words or not (Fatima Abdullahi, Per Skov, Camilla Bjerg Lindholm).
  // A first name that is also a common word (Hans, Per) needs a name after it: `Hans Unilogin` is his.
  const vouched = h.score >= Strong || (head + 1 < to && (words[head + 1] as Word).score > None);
  const last =
    h.first && vouched
      ? Math.min(to - 1, head + MAX_NAME_WORDS - 1)
      : tail + (t.first && tail + 1 < to ? 1 : 0);
  if (last !== head && ((h.first && vouched) || sum >= 2 * Weak)) {
    // An unknown word just before a known surname is its first name (Faadumo Hussein).
    const before = head > from ? (words[head - 1] as Word) : undefined;
    const start = !h.first && h.score >= Strong && before?.score === None ? before : h;
    pushName(text, found, start, words[last] as Word, 0.7);
    return;
  }
  for (let k = head; k <= tail; k++) {
    const word = words[k] as Word;
    if (word.score <= None || doseAt(text, word.end)) continue;
    if (word.score >= Strong) {
      const before = k > from ? (words[k - 1] as Word) : undefined;
      pushName(text, found, !word.first && before?.score === None ? before : word, word, 0.6);
    }
    // Mid-sentence, a capital letter is the writer saying it is a name, and so is the unknown
    // capitalized word right after it (`Nabo Birte Ager`, `sagsbehandler Edina Begović`); but after
    // an institution it names the institution (`Børnehuset Mark`, `Plejecentret Solhøj`).
    else if (!opensSentence(text, word.start) && !afterInstitution(text, word.start)) {
      const after = k + 1 < to ? (words[k + 1] as Word) : undefined;
      pushName(text, found, word, after?.score === None ? after : word, 0.5);
    }
  }
}

/** An e-mail address in brackets right after a run of capitalized words. */
const DISPLAY_NAME = /[ \t]*[<(][^\s<>()@]+@/y;

function displayNameAt(text: string, at: number): boolean {
  let i = at;
  while (isSpaceOrTab(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  if (c !== 0x3c && c !== 0x28) return false;
  DISPLAY_NAME.lastIndex = at;
  return DISPLAY_NAME.test(text);
}

/** Runs of capitalized words separated only by spaces; a word that is never a name ends a run. */
function joins(text: string, prev: Word, word: Word): boolean {
  return word.score !== Stop && prev.score !== Stop && onlySpaces(text, prev.end, word.start);
}

function runNames(text: string, words: Word[], found: Span[]): void {
  let from = 0;
  for (let to = 1; to <= words.length; to++) {
    if (to < words.length && joins(text, words[to - 1] as Word, words[to] as Word)) continue;
    const first = words[from] as Word;
    const last = words[to - 1] as Word;
    // The display name of an address: `From: Rajesh Subramanian <rajesh@…>`, `Edina Begović (edbe@…)`.
    if (displayNameAt(text, last.end) && (to - from > 1 || first.score !== Stop)) {
      found.push({ kind: TokenKind.NAME, start: first.start, end: last.end, confidence: 0.75 });
    }
    namesInRun(text, words, from, to, found);
    from = to;
  }
}

const WORD = "\\p{Lu}[\\p{Ll}\\p{M}]+(?:-\\p{Lu}[\\p{Ll}\\p{M}]+)*(?:['’]s?)?";
const RUN = `${WORD}(?:[ \\t]+${WORD}){0,3}`;
/** Words after which a name follows, read at candidate positions; sticky patterns then read the name. */
const CUE =
  /(?:hej(?:sa)?|kære|goddag|godmorgen|hi|hello|dear|(?:m(?:ed )?)?v(?:enlig )?h(?:ilsen)?|kh|hilsen|(?:best |kind )?regards|fru|hr|herr|frk|dr|mrs?|ms)\b/iy;
/** Every word {@link CUE} matches, in lower case. */
const CUE_WORDS = [
  ...'hej hejsa kære goddag godmorgen hi hello dear kh hilsen regards fru hr herr frk dr mr mrs ms'.split(
    ' ',
  ),
  'best regards',
  'kind regards',
  ...['', 'm', 'med '].flatMap((m) =>
    ['', 'enlig '].flatMap((enlig) => ['', 'ilsen'].map((ilsen) => `${m}v${enlig}h${ilsen}`)),
  ),
];
const isAsciiWordChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
/**
 * The first three characters of a cue as a number: the case of ASCII letters and `æ` ignored by
 * setting bit 0x20, and a third character that ends the word (`\b`: no ASCII letter or digit) as 0.
 */
const cueKey = (c0: number, c1: number, c2: number) =>
  ((c0 | 0x20) << 16) | ((c1 | 0x20) << 8) | (isAsciiWordChar(c2) ? c2 | 0x20 : 0);
const CUE_STARTS = new Set(CUE_WORDS.map((w) => cueKey(w.charCodeAt(0), w.charCodeAt(1), w.charCodeAt(2))));
/** The first two characters of every cue, as in {@link cueKey}: a cheaper test first. */
const CUE_PAIRS = new Uint8Array(0x8000);
for (const w of CUE_WORDS) CUE_PAIRS[(w.charCodeAt(0) << 8) | w.charCodeAt(1)] = 1;

/** Whether a cue can start at `i`: at a word boundary (ASCII, as `\b`), and with the right letters. */
function mayStartCue(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1) | 0x20;
  if (c >= 0x80 || d >= 0x100 || CUE_PAIRS[((c | 0x20) << 8) | d] !== 1) return false;
  if (i > 0 && isAsciiWordChar(text.charCodeAt(i - 1))) return false;
  return CUE_STARTS.has(cueKey(c, d, text.charCodeAt(i + 2)));
}

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
/**
 * A Jira user mention in wiki markup: `[~mette.larsen]`. Account ids are opaque and stay, and so do
 * tokens. No `[` in the name: `[~[~[~…` made every attempt read on to the end of the text.
 */
const MENTION = /\[~(?!accountid:|@?[A-Z]{2,10}_[A-Z2-7]{10,16}\])([^\]|\s[]+)\]/g;
const capitalize = (w: string) => (w[0] ?? '').toUpperCase() + w.slice(1);

function readAt(pattern: RegExp, text: string, at: number): [number, string] | undefined {
  pattern.lastIndex = at;
  const m = pattern.exec(text);
  return m?.[1] === undefined ? undefined : [pattern.lastIndex - m[1].length, m[1]];
}

/** Lower-case words as their capitalized form classifies; sloppy texts are read word by word. Bounded. */
const lowerClasses = new WordCache<Class>(50_000, (word) => classify(capitalize(word)));
const classifyLower = (word: string) => lowerClasses.get(word, 0, word.length);

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
function contextNames(text: string, table: WordTable, found: Span[]): void {
  // A cue starts with an ASCII letter after no ASCII letter or digit (`\b`): at the start of a word,
  // or inside one after a character that is not ASCII (`æhej`) or a hyphen. Words hold every letter.
  let resume = 0;
  for (let k = 0; k < table.count; k++) {
    const start = table.start[k] as number;
    const last = table.mixed[k] === 1 ? (table.end[k] as number) : start + 1;
    for (let i = Math.max(start, resume); i < last; i++) {
      if ((i > start && isAsciiWordChar(text.charCodeAt(i - 1))) || !mayStartCue(text, i)) continue;
      CUE.lastIndex = i;
      const cue = CUE.exec(text);
      if (cue === null) continue;
      resume = CUE.lastIndex;
      nameAfterCue(text, cue[0].toLowerCase(), resume, found);
    }
  }
  for (const m of text.includes('/') ? allMatches(SLASH_SIGNATURE, text) : []) {
    const run = m[1] ?? '';
    if (run.split(/[ \t]/).some((w) => classify(w).score === Stop)) continue;
    if (/^\p{Ll}/u.test(run) && !lowerFirstName(run)) continue;
    const start = m.index + m[0].indexOf(run);
    found.push({ kind: TokenKind.NAME, start, end: start + run.length, confidence: 0.7 });
  }
  for (const m of text.includes('[~') ? allMatches(MENTION, text) : []) {
    found.push({ kind: TokenKind.NAME, start: m.index + 2, end: m.index + m[0].length - 1, confidence: 0.9 });
  }
}

/** The name after a cue word (lower case) that ends at `at`. */
function nameAfterCue(text: string, word: string, at: number, found: Span[]): void {
  if (word === 'dr' && text[at] !== '.') return;
  const after = TITLES.has(word) ? AFTER_TITLE : GREETINGS.has(word) ? AFTER_GREETING : AFTER_CLOSING;
  const name = readAt(after, text, at);
  if (name) {
    const [start, run] = name;
    const words = [...run.matchAll(/[^ \t]+/g)];
    const stop = words.findIndex((w) => classify(w[0]).score === Stop);
    const kept = stop === -1 ? words : words.slice(0, stop);
    if (stop !== -1 && !kept.some((w) => classify(w[0]).score > None)) return;
    const last = kept.at(-1);
    if (last === undefined) return;
    found.push({ kind: TokenKind.NAME, start, end: start + last.index + last[0].length, confidence: 0.8 });
    return;
  }
  const lower = TITLES.has(word) ? undefined : readAt(AFTER_LOWER, text, at);
  if (!lower) return;
  const [start, run] = lower;
  const [first = '', second] = run.split(/[ \t]+/);
  const c = classify(capitalize(first));
  if (!(c.first && c.score >= First)) return;
  const both = second !== undefined && lowerSurname(second);
  found.push({
    kind: TokenKind.NAME,
    start,
    end: start + (both ? run.length : first.length),
    confidence: 0.7,
  });
}

const LOWER_LETTER = /\p{Ll}/uy;
function lowerLetterAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 0x80) return c >= 0x61 && c <= 0x7a;
  LOWER_LETTER.lastIndex = i;
  return LOWER_LETTER.test(text);
}

/** Some people write everything in lower case; their texts start sentences in lower case. */
const SLOPPY = /(?:^|[.!?]\s+|\n)\p{Ll}/u;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * {@link SLOPPY} read at the starts of words, where every letter after `^`, `\n` or a space is.
 * Letters beyond the BMP are in no word (`\n𝑎`): a text with them is left to the pattern.
 */
function startsSentenceInLowerCase(text: string, table: WordTable): boolean {
  for (let k = 0; k < table.count; k++) {
    const start = table.start[k] as number;
    if (start > 0 && !afterSentenceEnd(text, start)) continue;
    if (lowerLetterAt(text, start)) return true;
  }
  return SURROGATE.test(text) && SLOPPY.test(text);
}

/** `\n` or `[.!?]\s+` just before `at`. */
function afterSentenceEnd(text: string, at: number): boolean {
  let i = at - 1;
  const c = text.charCodeAt(i);
  if (c === 0x0a) return true;
  if (!isSpace(c)) return false;
  while (--i >= 0 && isSpace(text.charCodeAt(i)));
  const end = text.charCodeAt(i);
  return end === 0x2e || end === 0x21 || end === 0x3f;
}

/** `william sørensen`, `mig, dorte og jakob`: first names that are no ordinary word, and a surname after. */
function lowerCaseNames(text: string, table: WordTable, found: Span[]): void {
  if (!startsSentenceInLowerCase(text, table)) return;
  for (let k = 0; k < table.count; k++) {
    if (table.shape[k] !== Shape.Lower) continue;
    const start = table.start[k] as number;
    const end = table.end[k] as number;
    const c = lowerClasses.get(text, start, end);
    if (!(c.first && c.score === Strong)) continue;
    let next = k + 1;
    while (next < table.count && table.shape[next] !== Shape.Lower) next++;
    const nextStart = table.start[next] as number;
    const nextEnd = table.end[next] as number;
    const joined =
      next < table.count &&
      onlySpaces(text, end, nextStart) &&
      lowerClasses.get(text, nextStart, nextEnd).score >= Strong;
    found.push({ kind: TokenKind.NAME, start, end: joined ? nextEnd : end, confidence: 0.5 });
  }
}

/** Whether spans are in order of their starts already, as they mostly are. */
function inOrder(spans: Span[]): boolean {
  for (let i = 1; i < spans.length; i++)
    if ((spans[i] as Span).start < (spans[i - 1] as Span).start) return false;
  return true;
}

/**
 * A word once seen as part of a name is that name wherever else it is written with a capital
 * (`Per Skov ringede. Skov var vred.`), unless it is one of the commonest words.
 */
function knownNames(words: Word[], found: Span[]): void {
  if (found.length === 0) return;
  const known = new Set<string>();
  // Words and spans in text order: a word is in a span when a span starting before it ends after it.
  const spans = inOrder(found) ? found : found.toSorted((a, b) => a.start - b.start);
  let next = 0;
  let reach = -1;
  for (const word of words) {
    while (next < spans.length && (spans[next] as Span).start <= word.start) {
      reach = Math.max(reach, (spans[next++] as Span).end);
    }
    if (reach >= word.end && word.info.recalled) known.add(word.info.bare);
  }
  if (known.size === 0) return;
  for (const word of words) {
    const { bare, stem } = word.info;
    if (known.has(bare) || (stem !== undefined && known.has(stem))) {
      found.push({ kind: TokenKind.NAME, start: word.start, end: word.end, confidence: 0.55 });
    }
  }
}

/** The scanned words of the text being read; reused, as detection reads one text at a time. */
const scanned = createWordTable();

export const nameDetector: Detector = {
  name: 'names',
  detect(text: string): Span[] {
    const table = scanWordTable(text, scanned);
    const found: Span[] = [];
    contextNames(text, table, found);
    lowerCaseNames(text, table, found);
    const words = capitalizedWords(text, table);
    runNames(text, words, found);
    knownNames(words, found);
    return found;
  },
};
