/**
 * The words of a text in one loop over its characters. Names are judged word by word, and a regex
 * match per word cost more than everything else the name detector does.
 */

export const Shape = { Capitalized: 1, Lower: 2 } as const;

export interface ScannedWord {
  start: number;
  /** End, with a genitive (`Jens'`, `Hansen’s`) included. */
  end: number;
  /** Capitalized (`Jens`, `Hansen-Møller`), all lower case, or 0 for anything else (`iPhone`, `NEXUS`). */
  shape: number;
}

const OTHER = 0;
const UPPER = 1;
const LOWER = 2;
const MARK = 3;
const DIGIT = 4;

/** Classes of the Latin code points; others are looked up once and remembered. */
const LATIN = new Uint8Array(0x250);
const others = new Map<number, number>();

function classify(code: number): number {
  const ch = String.fromCodePoint(code);
  if (/\p{Lu}|\p{Lt}/u.test(ch)) return UPPER;
  if (/\p{L}/u.test(ch)) return LOWER;
  if (/\p{M}/u.test(ch)) return MARK;
  if (/\p{N}/u.test(ch)) return DIGIT;
  return OTHER;
}
for (let c = 0; c < LATIN.length; c++) LATIN[c] = classify(c);

/** The class of a UTF-16 code unit; past the end of a text (`NaN`) is OTHER. */
export function charClass(code: number): number {
  if (!(code >= 0)) return OTHER;
  if (code < LATIN.length) return LATIN[code] ?? OTHER;
  let c = others.get(code);
  if (c === undefined) {
    c = classify(code);
    if (others.size < 10_000) others.set(code, c);
  }
  return c;
}

const isLetter = (c: number) => c === UPPER || c === LOWER || c === MARK;
const APOSTROPHES = new Set([0x27, 0x2019]);
/** Characters after which a capitalized word is part of something else: `dk.nexus.Lookup`, `a@B`, `C:\Users`. */
const NOT_BEFORE_CAPITALIZED = new Set([0x2e, 0x40, 0x2f, 0x5c]);
const NOT_BEFORE_LOWER = new Set([0x2e, 0x40, 0x2f, 0x5c, 0x5f, 0x2d]);

/** `@Jens` opening a word is a mention of a person, not the domain of `a@Jens`. */
function isMention(text: string, start: number): boolean {
  if (text.charCodeAt(start - 1) !== 0x40) return false;
  const c = start >= 2 ? charClass(text.charCodeAt(start - 2)) : OTHER;
  return !isLetter(c) && c !== DIGIT && !NOT_BEFORE_LOWER.has(text.charCodeAt(start - 2));
}

/** One part of a word: a letter run starting at `at`, and whether it is capitalized or lower case. */
function part(text: string, at: number): { end: number; shape: number } {
  let i = at;
  let upper = 0;
  let lower = 0;
  let firstUpper = false;
  for (; i < text.length; i++) {
    const c = charClass(text.charCodeAt(i));
    if (!isLetter(c)) break;
    if (c === UPPER) {
      if (i === at) firstUpper = true;
      upper++;
    } else if (c === LOWER) lower++;
  }
  const shape =
    firstUpper && upper === 1 && lower > 0 ? Shape.Capitalized : upper === 0 && lower > 1 ? Shape.Lower : 0;
  return { end: i, shape };
}

/** Every word of the text: letters and marks, joined by hyphens between capitalized parts. */
export function scanWords(text: string): ScannedWord[] {
  const words: ScannedWord[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isLetter(charClass(text.charCodeAt(i)))) {
      i++;
      continue;
    }
    const start = i;
    let { end, shape } = part(text, i);
    // Hansen-Møller is one capitalized word; Nexus-support is Nexus and then something else.
    while (shape === Shape.Capitalized && text.charCodeAt(end) === 0x2d) {
      const next = part(text, end + 1);
      if (next.shape !== Shape.Capitalized) break;
      end = next.end;
    }
    i = end;
    // Any letters or digits glued on make the whole run something other than a word.
    while (
      i < text.length &&
      (isLetter(charClass(text.charCodeAt(i))) || charClass(text.charCodeAt(i)) === DIGIT)
    ) {
      shape = 0;
      i++;
    }
    const before = start > 0 ? text.charCodeAt(start - 1) : -1;
    const beforeClass = before < 0 ? OTHER : charClass(before);
    const after = text.charCodeAt(end);
    if (beforeClass === DIGIT || after === 0x40) shape = 0;
    else if (shape === Shape.Capitalized && NOT_BEFORE_CAPITALIZED.has(before) && !isMention(text, start))
      shape = 0;
    else if (shape === Shape.Lower && (NOT_BEFORE_LOWER.has(before) || after === 0x5f)) shape = 0;
    if (shape !== 0 && APOSTROPHES.has(after)) {
      const s = text.charCodeAt(end + 1) === 0x73 ? 1 : 0;
      if (!isLetter(charClass(text.charCodeAt(end + 1 + s)))) {
        end += 1 + s;
        i = end;
      }
    }
    words.push({ start, end: shape === 0 ? i : end, shape });
  }
  return words;
}
