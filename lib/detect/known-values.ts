import { TokenKind } from '../pseudonymize/token.ts';
import { isNameWord, neverAName } from './names.ts';
import type { Detector, Span } from './span.ts';
import { isSpace, isWordCode } from './words.ts';

export interface KnownValue {
  kind: TokenKind;
  value: string;
}

/** Longer "names" are not names; capping them also bounds the cost of matching. */
const MAX_WORDS = 8;
const MAX_LENGTH = 120;
/** A part of a known name is looked for on its own from this many letters, capitalized only. */
const MIN_PART_LENGTH = 3;

/** One way a known value may be written: its words, and whether their case counts. */
interface Written {
  kind: TokenKind;
  confidence: number;
  words: string[];
  /** Any case, as a regex's `i` flag reads it; else as written. */
  anyCase: boolean;
}

/**
 * A UTF-16 unit as a regex's `i` flag (without `u`) compares it: upper-cased, where that gives one
 * unit and does not turn a non-ASCII letter into an ASCII one. Worked out on first sight.
 */
const CANONICAL = new Int32Array(0x10000).fill(-1);
function canonical(code: number): number {
  const seen = CANONICAL[code] as number;
  if (seen >= 0) return seen;
  const upper = String.fromCharCode(code).toUpperCase();
  const folded =
    upper.length === 1 && !(code >= 0x80 && upper.charCodeAt(0) < 0x80) ? upper.charCodeAt(0) : code;
  CANONICAL[code] = folded;
  return folded;
}

/** Every character whose canonical form is `code`: what a value starting with `code` may start with. */
function spellings(code: number): string[] {
  if (code < 0x80) {
    const ch = String.fromCharCode(code);
    return code >= 0x41 && code <= 0x5a ? [ch, ch.toLowerCase()] : [ch];
  }
  // Beyond ASCII a few have more than two (`µ` and `μ` both read as `Μ`): found once, by trying all.
  if (!OTHER_SPELLINGS) {
    OTHER_SPELLINGS = new Map();
    for (let c = 0x80; c < 0x10000; c++) {
      const folded = canonical(c);
      if (folded === c) continue;
      const others = OTHER_SPELLINGS.get(folded);
      if (others) others.push(String.fromCharCode(c));
      else OTHER_SPELLINGS.set(folded, [String.fromCharCode(c)]);
    }
  }
  return [String.fromCharCode(code), ...(OTHER_SPELLINGS.get(code) ?? [])];
}
/** The characters beyond ASCII whose canonical form is another: by that form. */
let OTHER_SPELLINGS: Map<number, string[]> | undefined;

/** End of `written` at `at` (its words apart by any spaces), or -1. */
function endOf(text: string, at: number, { words, anyCase }: Written): number {
  let i = at;
  for (const [k, word] of words.entries()) {
    if (k > 0) {
      if (!isSpace(text.charCodeAt(i))) return -1;
      while (isSpace(text.charCodeAt(++i)));
    }
    if (i + word.length > text.length) return -1;
    for (let j = 0; j < word.length; j++) {
      const a = text.charCodeAt(i + j);
      const b = word.charCodeAt(j);
      if (a !== b && !(anyCase && canonical(a) === canonical(b))) return -1;
    }
    i += word.length;
  }
  return i;
}

/** End of a Danish genitive (`s`, `'`, `'s`, `’s`) at `at`, or `at`. */
function genitiveEnd(text: string, at: number, anyCase: boolean): number {
  const isS = (c: number) => c === 0x73 || (anyCase && c === 0x53);
  const c = text.charCodeAt(at);
  if (isS(c)) return at + 1;
  if (c !== 0x27 && c !== 0x2019) return at;
  return isS(text.charCodeAt(at + 1)) ? at + 2 : at + 1;
}

/** Not inside a word there: outside the text, or no letter, mark or digit. */
const openAt = (text: string, i: number) => i < 0 || i >= text.length || !isWordCode(text.charCodeAt(i));

/**
 * The person in a name field that also names a role or an organization: `Zxqa Wobbleton, Support`
 * is Zxqa Wobbleton, `Joanna Kowalczyk Sensum Application Support` is Joanna Kowalczyk, and
 * `Nexus Support` is nobody. The words before the first that is never a name, of which the first two
 * and any the gazetteer knows as names.
 */
function personOf(words: string[]): string[] {
  const bare = words.map((w) => w.replace(/[,;:()]+$|^[(]+/g, '')).filter((w) => w !== '');
  const stop = bare.findIndex(neverAName);
  if (stop === -1) return bare;
  const person = bare.slice(0, stop).filter((w, i) => i < 2 || isNameWord(w));
  // `Sensum Support`, `KMD Support`: one unknown word before a role is the organization.
  return person.length >= 2 || person.every(isNameWord) ? person : [];
}

/**
 * Finds mentions of values a ticket's structured fields already name (the reporter's name, a comment
 * author's e-mail), wherever the free text repeats them: whole, in any case and spacing, in the
 * genitive (`Hansens`, `Jens'`), and, for names, each part of three letters or more written with a
 * capital (`Mvh Jens`), so that `Per Holm` is found but `per dag` and `holm` are not.
 */
export function knownValuesDetector(known: readonly KnownValue[]): Detector {
  // By the character they start with, in each case it may take: the few values that may start there.
  const byFirst = new Map<string, Written[]>();
  const want = (written: Written) => {
    const first = written.words[0]?.charCodeAt(0) as number;
    for (const spelling of written.anyCase ? spellings(canonical(first)) : [String.fromCharCode(first)]) {
      const some = byFirst.get(spelling);
      if (some) some.push(written);
      else byFirst.set(spelling, [written]);
    }
  };
  // A ticket names its reporter on every comment: each value is read once.
  const seen = new Set<string>();
  for (const { kind, value } of known) {
    const key = `${kind}\0${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let words = value.normalize('NFKC').trim().split(/\s+/).filter(Boolean);
    if (kind === TokenKind.NAME) words = personOf(words);
    if (words.join('').length < 2 || words.length > MAX_WORDS || value.length > MAX_LENGTH) continue;
    // One-word names are matched as written: a reporter called Hans does not make every `hans` a name.
    if (kind === TokenKind.NAME && words.length === 1) {
      for (const word of writings(words[0] as string))
        want({ kind, confidence: 1, words: [word], anyCase: false });
      continue;
    }
    want({ kind, confidence: 1, words, anyCase: true });
    if (kind !== TokenKind.NAME) continue;
    for (const part of words.flatMap((w) => w.split('-'))) {
      if (part.length < MIN_PART_LENGTH) continue;
      for (const word of writings(part)) want({ kind, confidence: 0.6, words: [word], anyCase: false });
    }
  }
  return {
    name: 'known-values',
    *detect(text: string): Iterable<Span> {
      for (const [spelling, written] of byFirst) {
        // indexOf runs far faster than a loop over the text's characters.
        for (let at = text.indexOf(spelling); at >= 0; at = text.indexOf(spelling, at + 1)) {
          if (!openAt(text, at - 1)) continue;
          for (const one of written) {
            const end = endOf(text, at, one);
            if (end < 0) continue;
            // The genitive may have run into the next word (`Jens skriver`): then it counts without it.
            const withGenitive = genitiveEnd(text, end, one.anyCase);
            const bounded = openAt(text, withGenitive) ? withGenitive : openAt(text, end) ? end : -1;
            if (bounded >= 0) yield { kind: one.kind, start: at, end: bounded, confidence: one.confidence };
          }
        }
      }
    },
  };
}

/** A name's part as written, or in capitals (`FAADUMO`); never in lower case, where parts are ordinary words. */
const writings = (word: string) => [word, word.toUpperCase()];
