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

/** The class of every UTF-16 code unit, worked out on first sight (UNSEEN until then). */
const UNSEEN = 255;
const CLASSES = new Uint8Array(0x10000).fill(UNSEEN);

function classify(code: number): number {
  const ch = String.fromCodePoint(code);
  if (/\p{Lu}|\p{Lt}/u.test(ch)) return UPPER;
  if (/\p{L}/u.test(ch)) return LOWER;
  if (/\p{M}/u.test(ch)) return MARK;
  if (/\p{N}/u.test(ch)) return DIGIT;
  return OTHER;
}

/** The class of a UTF-16 code unit; past the end of a text (`NaN`) is OTHER. */
export function charClass(code: number): number {
  if (!(code >= 0)) return OTHER;
  const c = CLASSES[code] as number;
  if (c !== UNSEEN) return c;
  const seen = classify(code);
  CLASSES[code] = seen;
  return seen;
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

/** The shape of the part {@link part} read last; a second return value without an object per part. */
let partShape = 0;

/** One part of a word: a letter run starting at `at`; returns its end, and sets its shape. */
function part(text: string, at: number): number {
  let i = at;
  let upper = 0;
  let lower = 0;
  const firstUpper = charClass(text.charCodeAt(at)) === UPPER;
  for (; i < text.length; i++) {
    const c = charClass(text.charCodeAt(i));
    if (c === UPPER) upper++;
    else if (c === LOWER) lower++;
    else if (c !== MARK) break;
  }
  partShape =
    firstUpper && upper === 1 && lower > 0 ? Shape.Capitalized : upper === 0 && lower > 1 ? Shape.Lower : 0;
  return i;
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
    let end = part(text, i);
    let shape = partShape;
    // Hansen-Møller is one capitalized word; Nexus-support is Nexus and then something else.
    while (shape === Shape.Capitalized && text.charCodeAt(end) === 0x2d) {
      const next = part(text, end + 1);
      if (partShape !== Shape.Capitalized) break;
      end = next;
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
