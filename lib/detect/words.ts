/**
 * The words of a text in one loop over its characters. Names are judged word by word, and a regex
 * match per word cost more than everything else the name detector does.
 */

export const Shape = { Capitalized: 1, Lower: 2 } as const;

/** The words of one text as flat arrays, `count` of them: an object per word cost more than finding it. */
export interface WordTable {
  count: number;
  start: Int32Array;
  /** End, with a genitive (`Jens'`, `Hansen’s`) included. */
  end: Int32Array;
  /** Capitalized (`Jens`, `Hansen-Møller`), all lower case, or 0 for anything else (`iPhone`, `NEXUS`). */
  shape: Uint8Array;
  /** 1 when the word holds a character that is no ASCII letter or digit (`Søren`, `Hansen-Møller`). */
  mixed: Uint8Array;
}

export function createWordTable(size = 256): WordTable {
  return {
    count: 0,
    start: new Int32Array(size),
    end: new Int32Array(size),
    shape: new Uint8Array(size),
    mixed: new Uint8Array(size),
  };
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

function learn(code: number): number {
  const seen = classify(code);
  CLASSES[code] = seen;
  return seen;
}

/** The class of a UTF-16 code unit of a text (never `NaN`). */
function classOf(code: number): number {
  const c = CLASSES[code] as number;
  return c !== UNSEEN ? c : learn(code);
}

/** The class of the code unit at `i`, OTHER outside the text. */
const classAt = (text: string, i: number) =>
  i >= 0 && i < text.length ? classOf(text.charCodeAt(i)) : OTHER;

const isLetter = (c: number) => c === UPPER || c === LOWER || c === MARK;

/** `/[\p{L}\p{M}\p{N}]/u` for one UTF-16 code unit. */
export const isWordCode = (code: number) => classOf(code) !== OTHER;

/** JavaScript's `\s`. */
export function isSpace(c: number): boolean {
  if (c < 0x80) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const isApostrophe = (code: number) => code === 0x27 || code === 0x2019;
/** Characters after which a capitalized word is part of something else: `dk.nexus.Lookup`, `a@B`, `C:\Users`. */
const notBeforeCapitalized = (code: number) =>
  code === 0x2e || code === 0x40 || code === 0x2f || code === 0x5c;
const notBeforeLower = (code: number) => notBeforeCapitalized(code) || code === 0x5f || code === 0x2d;

/** `@Jens` opening a word is a mention of a person, not the domain of `a@Jens`. */
function isMention(text: string, start: number): boolean {
  if (text.charCodeAt(start - 1) !== 0x40) return false;
  const c = classAt(text, start - 2);
  return !isLetter(c) && c !== DIGIT && !notBeforeLower(text.charCodeAt(start - 2));
}

/** The shape of the part {@link part} read last; a second return value without an object per part. */
let partShape = 0;
/** The code units of the part read last, or-ed together: 0x80 or more when one is not ASCII. */
let partBits = 0;

/** One part of a word: a letter run starting at `at`; returns its end, and sets its shape. */
function part(text: string, at: number): number {
  const n = text.length;
  let i = at;
  let upper = 0;
  let lower = 0;
  let bits = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    const c = classOf(code);
    if (c === LOWER) lower++;
    else if (c === UPPER) upper++;
    else if (c !== MARK) break;
    bits |= code;
    i++;
  }
  const firstUpper = i > at && classOf(text.charCodeAt(at)) === UPPER;
  partShape =
    firstUpper && upper === 1 && lower > 0 ? Shape.Capitalized : upper === 0 && lower > 1 ? Shape.Lower : 0;
  partBits = bits;
  return i;
}

function grow(table: WordTable): void {
  const bigger = createWordTable(table.start.length * 2);
  bigger.start.set(table.start);
  bigger.end.set(table.end);
  bigger.shape.set(table.shape);
  bigger.mixed.set(table.mixed);
  Object.assign(table, { start: bigger.start, end: bigger.end, shape: bigger.shape, mixed: bigger.mixed });
}

/** The table {@link scanWordTable} fills unless given another; valid until its next call. */
const shared = createWordTable();

/**
 * Every word of the text: letters and marks, joined by hyphens between capitalized parts. Fills and
 * returns `table`, by default one shared table that the next call overwrites.
 */
export function scanWordTable(text: string, table: WordTable = shared): WordTable {
  const n = text.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    if (!isLetter(classOf(text.charCodeAt(i)))) {
      i++;
      continue;
    }
    const start = i;
    let end = part(text, i);
    let shape = partShape;
    let bits = partBits;
    // Hansen-Møller is one capitalized word; Nexus-support is Nexus and then something else.
    while (shape === Shape.Capitalized && end < n && text.charCodeAt(end) === 0x2d) {
      const next = part(text, end + 1);
      if (partShape !== Shape.Capitalized) break;
      end = next;
      bits |= partBits | 0x80;
    }
    i = end;
    // Any letters or digits glued on make the whole run something other than a word.
    while (i < n) {
      const code = text.charCodeAt(i);
      if (classOf(code) === OTHER) break;
      shape = 0;
      bits |= code;
      i++;
    }
    if (shape !== 0) {
      const before = start > 0 ? text.charCodeAt(start - 1) : -1;
      const after = end < n ? text.charCodeAt(end) : -1;
      if (after === 0x40 || (before >= 0 && classOf(before) === DIGIT)) shape = 0;
      else if (shape === Shape.Capitalized && notBeforeCapitalized(before) && !isMention(text, start))
        shape = 0;
      else if (shape === Shape.Lower && (notBeforeLower(before) || after === 0x5f)) shape = 0;
      if (shape !== 0 && isApostrophe(after)) {
        const s = text.charCodeAt(end + 1) === 0x73 ? 1 : 0;
        if (!isLetter(classAt(text, end + 1 + s))) {
          end += 1 + s;
          i = end;
          bits |= 0x80;
        }
      }
    }
    if (count === table.start.length) grow(table);
    table.start[count] = start;
    table.end[count] = shape === 0 ? i : end;
    table.shape[count] = shape;
    table.mixed[count] = bits >= 0x80 ? 1 : 0;
    count++;
  }
  table.count = count;
  return table;
}

/** FNV-1a of the word `text[start..end)`, every code unit of it: words sharing a sample collided. */
function hashOf(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The word as a string of its own: V8 makes a slice of 13 characters or more a view of the whole
 * text, and a cached word would keep the ticket, with its personal data, alive.
 */
export function detached(text: string, start: number, end: number): string {
  let word = '';
  for (let i = start; i < end; i++) word += text[i];
  return word;
}

/** A lookup gives up caching after this many slots: crafted words that collide cost no more than uncached ones. */
const MAX_PROBES = 8;

function sameWord(key: string, text: string, start: number, end: number): boolean {
  return key.length === end - start && text.startsWith(key, start);
}

/**
 * What a word is, worked out once: looked up by where the word stands in a text, so that a word
 * seen before is not cut out of the text (most words of a ticket were seen before). Holds up to
 * `limit` words, then starts afresh. The table grows with its words: a small one stays in the
 * processor's cache.
 */
export class WordCache<V> {
  private keys: (string | undefined)[] = [];
  private values: (V | undefined)[] = [];
  private hashes = new Int32Array(0);
  private mask = 0;
  private size = 0;
  private readonly limit: number;
  /** What a word not seen before is. */
  private readonly make: (word: string) => V;

  constructor(limit: number, make: (word: string) => V) {
    this.limit = limit;
    this.make = make;
    this.reset(256);
  }

  /** The value of the word `text[start..end)`. */
  get(text: string, start: number, end: number): V {
    const hash = hashOf(text, start, end);
    let slot = hash & this.mask;
    let probes = 0;
    for (let key = this.keys[slot]; key !== undefined; key = this.keys[slot]) {
      if (this.hashes[slot] === hash && sameWord(key, text, start, end)) return this.values[slot] as V;
      if (++probes === MAX_PROBES) return this.make(text.slice(start, end));
      slot = (slot + 1) & this.mask;
    }
    const word = detached(text, start, end);
    const value = this.make(word);
    if (this.size >= this.limit) this.reset(this.keys.length);
    else if (this.size * 2 >= this.keys.length) this.grow();
    this.add(hash, word, value);
    return value;
  }

  private reset(capacity: number): void {
    this.keys = new Array(capacity).fill(undefined);
    this.values = new Array(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
  }

  private grow(): void {
    const { keys, values, hashes } = this;
    this.reset(keys.length * 2);
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key !== undefined) this.add(hashes[slot] as number, key, values[slot] as V);
    }
  }

  private add(hash: number, key: string, value: V): void {
    let slot = hash & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.keys[slot] = key;
    this.values[slot] = value;
    this.hashes[slot] = hash;
    this.size++;
  }
}
