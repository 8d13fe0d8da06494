import { TokenKind } from '../pseudonymize/token.ts';
import names from './data/names.json' with { type: 'json' };
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Person names, from a gazetteer (see data/build-names.ts) and context. Many Danish names are also
 * ordinary words (Holm, Skov, Per, Bo, Hans), and Danish writes ordinary nouns in lower case, so
 * capitalization carries most of the signal: a capitalized name that is also a word counts only
 * where a sentence does not start, or next to another name, or after a greeting, closing or title.
 * Names that structured fields announce are found by the known-values detector.
 */
const FIRST_NAMES = new Set(names.firstNames);
const SURNAMES = new Set(names.surnames);
const LEXICON = new Set(names.lexicon.split('\n'));
const ALSO_WORDS = new Set(names.ambiguous);

/** Capitalized words that are never names in a ticket, whatever a list says. */
const NOT_NAMES = new Set(
  `Alle Borger Borgeren Borgere Borgerne Bruger Brugeren Brugere Kunde Kunden Kollega Kolleger Kollegaer Team Teamet
  Support Servicedesk Servicedesken Supporten Afdeling Afdelingen Kommune Kommunen Region Regionen Borgerservice
  Nexus Jira Cura Aula Opus Momentum Fasit Acadre Outlook Teams Windows Citrix Chrome Edge Excel Word Azure
  Microsoft Google Apple Android Hjemmeplejen Hjemmepleje Jobcenter Jobcentret Plejecenter Sygeplejerske
  Sygeplejersken Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Januar Februar Marts April Maj Juni Juli
  August September Oktober November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
  February March May June July October Du Dig Jer Jeres Vi Os De Dem Den Det Han Hun Jeg Mig Tak Igen Venlig
  Venligst Hilsen Hej Kære Mvh Dear Hello Regards Best Kind Thanks Team God Godt Glædelig Jul Ferie Sommer Vinter
  Forår Efterår Nord Syd Øst Vest Danmark Denmark Dansk Danske English Engelsk`.split(/\s+/),
);

/** How a capitalized word counts as a name. */
const Strong = 3;
const First = 2; // a first name that is also a word (Per, Bo, Hans): strong only before another name
const Weak = 1; // a name from the dictionary's proper nouns, or any name that is also a word
const None = 0;
const Stop = -1;

const PATRONYMIC = /(?:sen|søn|sson)$/;

function classOf(word: string): Class {
  if (NOT_NAMES.has(word)) return { score: Stop, first: false };
  const first = FIRST_NAMES.has(word);
  const listed = first || SURNAMES.has(word) || (LEXICON.has(word) && PATRONYMIC.test(word));
  if (ALSO_WORDS.has(word))
    return { score: first ? First : LEXICON.has(word) || listed ? Weak : None, first };
  if (listed) return { score: Strong, first };
  return { score: LEXICON.has(word) ? Weak : None, first: false };
}

type Class = { score: number; first: boolean };
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

function classifyUncached(word: string): Class {
  const bare = word.replace(/['’]s?$/, '');
  const parts = bare.split('-');
  let best = { score: None, first: false };
  for (const part of parts) {
    let c = classOf(part);
    if (c.score === None && part.endsWith('s') && part === parts.at(-1)) c = classOf(part.slice(0, -1));
    if (c.score === Stop) return c;
    if (c.score > best.score) best = c;
  }
  return best;
}

interface Word {
  start: number;
  end: number;
  score: number;
  first: boolean;
}

// Not after `.` or `@` (domains, Java packages), nor into digits or `@`; camelCase never matches whole.
const CAPITALIZED =
  /(?<![\p{L}\p{M}\p{N}_.@/\\])\p{Lu}[\p{Ll}\p{M}]+(?:-\p{Lu}[\p{Ll}\p{M}]+)*(?:['’]s?)?(?![\p{L}\p{M}\p{N}_@])/gu;
const SENTENCE_END = /[.!?\n\r•|#>–—-]/;
const OPENERS = /[ \t\u00a0"'“”„«»([*_]/;

/** Nothing but spacing, quotes or bullets since a sentence or line began. */
function opensSentence(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENERS.test(text[i] ?? '')) i--;
  return i < 0 || SENTENCE_END.test(text[i] ?? '');
}

function capitalizedWords(text: string): Word[] {
  const out: Word[] = [];
  for (const m of allMatches(CAPITALIZED, text)) {
    const { score, first } = classify(m[0]);
    const start = m.index;
    out.push({ start, end: start + m[0].length, score, first });
  }
  return out;
}

function onlySpaces(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xa0) return false;
  }
  return to > from;
}

/** Runs of capitalized words separated only by spaces. */
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

/** The name spans in one run of capitalized words, as [first word, last word, confidence]. */
function* namesInRun(text: string, run: Word[]): Iterable<[Word, Word, number]> {
  const named = run.filter((w) => w.score > None);
  const head = named[0];
  const tail = named.at(-1);
  if (!head || !tail) return;
  let last = run.indexOf(tail);
  // A first name makes the next capitalized word a surname, known or not (Fatima Abdullahi, Per Skov).
  if (head.first) last = Math.max(last, run.indexOf(head) + 1);
  if (run[last]?.first && last + 1 < run.length) last++;
  const end = run[last];
  if (end && end !== head && (head.first || named.reduce((n, w) => n + w.score, 0) >= 2 * Weak)) {
    yield [head, end, 0.7];
    return;
  }
  for (const word of named) {
    if (word.score >= Strong) yield [word, word, 0.6];
    // Mid-sentence, a capital letter is the writer saying it is a name.
    else if (!opensSentence(text, word.start)) yield [word, word, 0.5];
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
const capitalize = (w: string) => (w[0] ?? '').toUpperCase() + w.slice(1);

function readAt(pattern: RegExp, text: string, at: number): [number, string] | undefined {
  pattern.lastIndex = at;
  const m = pattern.exec(text);
  return m?.[1] === undefined ? undefined : [pattern.lastIndex - m[1].length, m[1]];
}

/** After a greeting, closing or title the whole run is a name, unless a word of it never is. */
function* contextNames(text: string): Iterable<Span> {
  for (const cue of allMatches(CUE, text)) {
    const word = cue[0].toLowerCase();
    const at = cue.index + cue[0].length;
    if (word === 'dr' && text[at] !== '.') continue;
    const after = TITLES.has(word) ? AFTER_TITLE : GREETINGS.has(word) ? AFTER_GREETING : AFTER_CLOSING;
    const name = readAt(after, text, at);
    if (name) {
      const [start, run] = name;
      if (!run.split(/[ \t]+/).some((w) => classify(w).score === Stop)) {
        yield { kind: TokenKind.NAME, start, end: start + run.length, confidence: 0.8 };
      }
      continue;
    }
    const lower = TITLES.has(word) ? undefined : readAt(AFTER_LOWER, text, at);
    if (!lower) continue;
    const [start, run] = lower;
    const [first = '', second] = run.split(/[ \t]+/);
    const c = classify(capitalize(first));
    if (!(c.first && c.score >= First)) continue;
    const both = second !== undefined && classify(capitalize(second)).score >= Strong;
    yield { kind: TokenKind.NAME, start, end: start + (both ? run.length : first.length), confidence: 0.7 };
  }
}

export const nameDetector: Detector = {
  name: 'names',
  *detect(text: string): Iterable<Span> {
    const found: Span[] = [...contextNames(text)];
    const words = capitalizedWords(text);
    for (const run of runs(text, words)) {
      for (const [from, to, confidence] of namesInRun(text, run)) {
        found.push({ kind: TokenKind.NAME, start: from.start, end: to.end, confidence });
      }
    }
    yield* found;
    // A word once seen as part of a name is that name wherever else it is written with a capital.
    const known = new Set<string>();
    for (const span of found) {
      for (const part of text.slice(span.start, span.end).split(/[ \t\r\n]+/)) {
        if (part.length >= 3) known.add(part.replace(/['’]s?$/, ''));
      }
    }
    if (known.size === 0) return;
    for (const word of words) {
      const bare = text.slice(word.start, word.end).replace(/['’]s?$/, '');
      if (known.has(bare) || known.has(bare.replace(/s$/, ''))) {
        yield { kind: TokenKind.NAME, start: word.start, end: word.end, confidence: 0.55 };
      }
    }
  },
};
