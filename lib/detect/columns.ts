import { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';
import { detached } from './words.ts';

/**
 * Values whose column or key says what they are: a CSV export, a Jira or Markdown table or a JSON
 * object with a column `Navn`, `Kode` or `"password"`. In a table a name stands without any of the
 * context the name detector reads (`|Alfred Nyborg|alfr7324|pære42kat|`), and a password or a door
 * code has no label in front of it. Headers are matched whole, in any case, or by the last part of
 * one compound word (`elev_navn`, `contactPhone`).
 */
const HEADER_WORDS: readonly [TokenKind, string][] = [
  [
    TokenKind.NAME,
    'navn|fornavn|fornavne|efternavn|mellemnavn|fulde navn|borger|borgernavn|elev|elevnavn|barn|barnets navn|' +
      'forælder|forældre|mor|far|pårørende|medarbejder|medarbejdernavn|bruger|brugernavn|kontaktperson|' +
      'ansvarlig|sagsbehandler|lærer|ejer|ejer 1|ejer 2|modtager|afsender|name|first name|firstname|' +
      'last name|lastname|surname|full name|fullname|display name|displayname|citizen|employee|contact|owner',
  ],
  [TokenKind.SECRET, 'kode|adgangskode|kodeord|password|pwd|pin|pinkode|nøglekode|dørkode|secret'],
  [TokenKind.PHONE, 'telefon|telefonnr|telefonnummer|tlf|tlf.|tlf.nr.|mobil|mobilnr|phone|mobile'],
  [TokenKind.EMAIL, 'email|e-mail|mail|mailadresse'],
  [TokenKind.ADDR, 'adresse|bopæl|vejnavn|address|street'],
];
const HEADERS = new Map(
  HEADER_WORDS.flatMap(([kind, words]) => words.split('|').map((w) => [w, kind] as const)),
);

/** First parts of a compound header that make it about something other than a person. */
const NOT_A_PERSON = new Set(
  `device host file app application computer server product company firma virksomhed fil enhed produkt skole
  institution vej gade by kommune afdeling team group gruppe rolle role job system service event log printer
  queue kø`.split(/\s+/),
);

/** Header cells repeat (every line of a CSV is tried as a header); each is read once. Bounded. */
const headerKinds = new Map<string, TokenKind | undefined>();

function headerKind(cell: string): TokenKind | undefined {
  if (headerKinds.has(cell)) return headerKinds.get(cell);
  if (headerKinds.size >= 10_000) headerKinds.clear();
  const kind = readHeader(cell);
  headerKinds.set(detached(cell, 0, cell.length), kind);
  return kind;
}

function readHeader(cell: string): TokenKind | undefined {
  const raw = cell
    .trim()
    .replace(/^["'*_]+|["'*_:]+$/g, '')
    .trim();
  const exact = HEADERS.get(raw.toLowerCase());
  if (exact || /\s/.test(raw)) return exact;
  // `elev_navn`, `forælder-mobil`, `contactPhone`: one compound word says what its last part says,
  // unless a first part says it is about something else (`DeviceName`, `fil_navn`).
  const parts = raw
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1_$2')
    .toLowerCase()
    .split(/[_-]+/);
  const kind = parts.length > 1 ? HEADERS.get(parts.at(-1) ?? '') : undefined;
  return kind && !parts.slice(0, -1).some((p) => NOT_A_PERSON.has(p)) ? kind : undefined;
}

/** A cell worth replacing: letters or digits, and not already a token or an empty marker. */
const WORTH = /[\p{L}\p{N}]/u;
const EMPTY = /^(?:-+|n\/a|null|none|ingen|\*+)$/i;

interface Cell {
  start: number;
  end: number;
}

/**
 * Classes of UTF-16 units, so the loops below read each character with one table lookup. SPACE is
 * what `\s` and String.prototype.trim take for a space.
 */
const SPACE = 1;
const QUOTE = 2;
const PADDING = 4; // ANY_HEADER's `[ \t"'*_:]` after a header word, less the tab, which ends the cell
const SEPARATOR = 8; // `[;\t|,]`
const LINE_END = 16; // what the `m` flag takes for a line's end
const CHARS = new Uint8Array(0x10000);
function classify(chars: string, bit: number): void {
  for (const ch of chars) CHARS[ch.charCodeAt(0)] = (CHARS[ch.charCodeAt(0)] ?? 0) | bit;
}
classify(' \t\n\v\f\r\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff', SPACE);
for (let c = 0x2000; c <= 0x200a; c++) classify(String.fromCharCode(c), SPACE);
classify(`"'`, QUOTE);
classify(` "'*_:`, PADDING);
classify(';\t|,', SEPARATOR);
classify('\n\r\u2028\u2029', LINE_END);

/** The cells of one line split by `separator`, trimmed of spaces and quotes, with their offsets. */
function cells(line: string, at: number, separator: string): Cell[] {
  const out: Cell[] = [];
  let from = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== separator) continue;
    let s = from;
    let e = i;
    while (s < e && isSpaceOrQuote(line.charCodeAt(s))) s++;
    while (e > s && isSpaceOrQuote(line.charCodeAt(e - 1))) e--;
    out.push({ start: at + s, end: at + e });
    from = i + 1;
  }
  return out;
}

/** `/[\s"']/` for one character. */
function isSpaceOrQuote(c: number): boolean {
  return ((CHARS[c] ?? 0) & (SPACE | QUOTE)) !== 0;
}

const SEPARATORS = [';', '\t', '|', ','] as const;

/**
 * Header words and labels read backwards from where they end, one character at a time, so a cell or
 * the text before a colon is checked without a regex trying every word at every position. The check
 * is loose, never strict: it only picks the few places where ANY_HEADER, NAME_LABEL_BEFORE or
 * headerKind then decide as before. So characters fold as both the `iu` regexes and toLowerCase fold
 * them (the Kelvin sign is `k`, `ſ` is `s`, the Ångström sign is `å`).
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzæøå .-0123456789';
/** The index in ALPHABET of each UTF-16 unit, or -1. */
const LETTER = new Int8Array(0x10000).fill(-1);
for (const [i, ch] of [...ALPHABET].entries()) {
  LETTER[ch.charCodeAt(0)] = i;
  LETTER[ch.toUpperCase().charCodeAt(0)] = i;
}
LETTER[95] = ALPHABET.indexOf(' '); // `_` reads as a space: `barnets_navn` may be `barnets navn`
LETTER[0x212a] = ALPHABET.indexOf('k');
LETTER[0x17f] = ALPHABET.indexOf('s');
LETTER[0x212b] = ALPHABET.indexOf('å');

/** Words reversed: `next[node * ALPHABET.length + letter]` is a node's child, 0 if none (0 is the root). */
interface SuffixTrie {
  next: Int32Array;
  ends: Uint8Array;
}

function suffixTrie(words: readonly string[]): SuffixTrie {
  const width = ALPHABET.length;
  const next = new Int32Array(words.reduce((n, w) => n + w.length, 1) * width);
  const ends = new Uint8Array(next.length / width);
  let nodes = 1;
  for (const word of words) {
    let node = 0;
    for (let i = word.length - 1; i >= 0; i--) {
      const slot = node * width + (LETTER[word.charCodeAt(i)] ?? 0);
      if (next[slot] === 0) next[slot] = nodes++;
      node = next[slot] ?? 0;
    }
    ends[node] = 1;
  }
  return { next, ends };
}

/** Whether some word of the trie ends at `end` and starts at or after `floor`. */
function endsWithWord(trie: SuffixTrie, text: string, end: number, floor: number): boolean {
  let node = 0;
  for (let i = end - 1; i >= floor; i--) {
    const letter = LETTER[text.charCodeAt(i)] ?? -1;
    if (letter < 0) return false;
    node = trie.next[node * ALPHABET.length + letter] ?? 0;
    if (node === 0) return false;
    if (trie.ends[node] === 1) return true;
  }
  return false;
}

const HEADER_TRIE = suffixTrie([...HEADERS.keys()]);

/** Whether any line holds a header cell; most texts have none and skip the line-by-line reading. */
const ANY_HEADER = new RegExp(
  `(?:^|[;\\t|,])[ \\t"'*_]*(?:\\p{L}+[ _-]?)?(?:${[...HEADERS.keys()].map((h) => h.replace(/[.]/g, '\\.')).join('|')})[ \\t"'*_:]*(?=[;\\t|,]|$)`,
  'imuy',
);

/** What ends a cell for ANY_HEADER: its separators first, then line ends. */
const CELL_ENDS = [';', '\t', '|', ',', '\n', '\r', '\u2028', '\u2029'] as const;

/**
 * Whether the text has a separator and ANY_HEADER matches it. Rather than trying ANY_HEADER at every
 * position, each cell end (found with `indexOf`, much faster than a loop over every character) is
 * read backwards: padding, then a header word. Only then does ANY_HEADER try that cell.
 */
function anyHeader(text: string): boolean {
  let separated = false;
  // One pass per kind of cell end, then the text's end (a single call site keeps the compiled code small).
  for (let i = 0; i <= CELL_ENDS.length; i++) {
    if (i === SEPARATORS.length && !separated) return false;
    const cellEnd = CELL_ENDS[i];
    let at = cellEnd === undefined ? text.length : text.indexOf(cellEnd);
    while (at !== -1) {
      separated = true;
      if (headerCellEndsAt(text, at)) return true;
      at = cellEnd === undefined ? -1 : text.indexOf(cellEnd, at + 1);
    }
  }
  return false;
}

function headerCellEndsAt(text: string, to: number): boolean {
  let end = to;
  while (end > 0 && ((CHARS[text.charCodeAt(end - 1)] ?? 0) & PADDING) !== 0) end--;
  // No cell end is in the trie's alphabet: the word read backwards stays inside its cell.
  return endsWithWord(HEADER_TRIE, text, end, 0) && isHeaderCell(text, end);
}

/** ANY_HEADER at the start of the cell holding `at`: after its separator, or at its line's start. */
function isHeaderCell(text: string, at: number): boolean {
  let from = at;
  while (from > 0 && ((CHARS[text.charCodeAt(from - 1)] ?? 0) & (SEPARATOR | LINE_END)) === 0) from--;
  const separated = from > 0 && ((CHARS[text.charCodeAt(from - 1)] ?? 0) & SEPARATOR) !== 0;
  ANY_HEADER.lastIndex = separated ? from - 1 : from;
  return ANY_HEADER.test(text);
}

/** A header line and the rows under it, for CSV, TSV, Jira (`||a||b||`) and Markdown tables. */
function tables(text: string, out: Span[]): void {
  if (!anyHeader(text)) return;
  let start = 0;
  while (start <= text.length) {
    const end = lineEnd(text, start);
    const header = mayHoldHeader(text, start, end) ? readHeaderLine(text.slice(start, end)) : undefined;
    if (header === undefined) {
      start = end + 1;
      continue;
    }
    const separator = header.separator.charCodeAt(0);
    let row = end + 1;
    while (row <= text.length) {
      const rowEnd = lineEnd(text, row);
      MARKDOWN_RULE.lastIndex = row;
      if (!MARKDOWN_RULE.test(text)) {
        // A row has the header's width (CSV may lack trailing empties); anything else ends the table.
        const count = countCells(text, row, rowEnd, separator);
        if (count < 2 || Math.abs(count - header.kinds.length) > 1) break;
        readRow(text, row, rowEnd, separator, header.kinds, out);
      }
      row = rowEnd + 1;
    }
    start = row; // the line that ended the table may head the next one
  }
}

function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end === -1 ? text.length : end;
}

/**
 * Whether some cell of the line `from`..`to` may end in a header word, whatever its separator: every
 * line is tried as a header, and this spares most of them splitting into cells and reading each cell.
 */
function mayHoldHeader(text: string, from: number, to: number): boolean {
  // Each cell is read back to the separator before it, which no header word holds: a line of tabs
  // (spaces too, in a cell split at another separator) is not read back to its start at every tab.
  let cell = from;
  for (let i = from; i <= to; i++) {
    if (i === to || ((CHARS[text.charCodeAt(i)] ?? 0) & SEPARATOR) !== 0) {
      if (mayEndInHeader(text, cell, i)) return true;
      cell = i + 1;
    }
  }
  return false;
}

/** Whether the cell ending at `to` may end in a header word once cells and readHeader have trimmed it. */
function mayEndInHeader(text: string, from: number, to: number): boolean {
  let end = to;
  while (end > from && ((CHARS[text.charCodeAt(end - 1)] ?? 0) & (SPACE | PADDING)) !== 0) end--;
  return endsWithWord(HEADER_TRIE, text, end, from);
}

/** A header line's separator and the kind of each of its cells, or undefined if it names none. */
function readHeaderLine(header: string): { separator: string; kinds: (TokenKind | undefined)[] } | undefined {
  const separator = SEPARATORS.find((s) => header.includes(s));
  if (!separator) return undefined;
  // Jira headers double the bar: `||Navn||Kode||` reads as `|Navn|Kode|` once halved.
  const headerText = separator === '|' ? header.replaceAll('||', '|') : header;
  const kinds = cells(headerText, 0, separator).map((c) => headerKind(headerText.slice(c.start, c.end)));
  return kinds.some((k) => k !== undefined) ? { separator, kinds } : undefined;
}

/**
 * Markdown's `|---|---|` under a header (`[^\S\n]`: a line's spaces, read in the whole text). The
 * spaces after the bar are in its group: `[^\S\n]*\|?[^\S\n]*` took seconds on a line of tabs.
 */
const MARKDOWN_RULE = /[^\S\n]*(?:\|[^\S\n]*)?:?-{3,}/y;

/** How many cells `cells` splits the line `from`..`to` into. */
function countCells(text: string, from: number, to: number, separator: number): number {
  let count = 1;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === separator) count++;
  return count;
}

/** The cells of a row under a header column, as `cells` reads them; the other cells are skipped. */
function readRow(
  text: string,
  from: number,
  to: number,
  separator: number,
  kinds: readonly (TokenKind | undefined)[],
  out: Span[],
): void {
  let cell = from;
  let column = 0;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== separator) continue;
    const kind = kinds[column++];
    if (kind) {
      let s = cell;
      let e = i;
      while (s < e && isSpaceOrQuote(text.charCodeAt(s))) s++;
      while (e > s && isSpaceOrQuote(text.charCodeAt(e - 1))) e--;
      if (e > s && isWorth(text.slice(s, e))) out.push({ kind, start: s, end: e, confidence: 0.85 });
    }
    cell = i + 1;
  }
}

/** A cell worth replacing: letters or digits, and not already a token or an empty marker. */
function isWorth(value: string): boolean {
  return WORTH.test(value) && !EMPTY.test(value);
}

/** `"fornavn": "Jens"`, `'password': 'x'`: a JSON or dictionary key that says what its string is. */
const KEYED = /["']([\p{L}_ -]{2,30})["']\s*:\s*"([^"\\\n]{1,200})"/uy;

/** The key-value pair whose key ends just before `colon`; returns where matching may start again. */
function keyed(text: string, colon: number, after: number, out: Span[]): number {
  const close = keyEnd(text, colon);
  const start = close === -1 ? -1 : keyStart(text, close);
  if (start < after) return after; // matches do not overlap
  KEYED.lastIndex = start;
  if (!KEYED.test(text)) return after;
  const end = KEYED.lastIndex - 1; // before the value's closing quote
  // Most keys say nothing (`"status"`): the match itself is read only for a key that may be a header.
  if (!mayBeHeaderKey(text, start + 1, close)) return end + 1;
  KEYED.lastIndex = start;
  const m = KEYED.exec(text) as RegExpExecArray;
  const key = (m[1] ?? '').replace(/_/g, ' ');
  const kind = headerKind(key) ?? headerKind(key.replace(/ /g, ''));
  const value = m[2] ?? '';
  if (kind && WORTH.test(value) && !EMPTY.test(value.trim())) {
    out.push({ kind, start: end - value.length, end, confidence: 0.85 });
  }
  return end + 1;
}

/**
 * Whether headerKind may read the key `from`..`to` as a header: it must end in a header word. A key
 * with spaces or underscores is read as written and with them removed, so it is left to headerKind.
 */
function mayBeHeaderKey(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 95) return true;
  }
  return endsWithWord(HEADER_TRIE, text, to, from);
}

/** The quote that closes a key before `colon` (spaces between), or -1. */
function keyEnd(text: string, colon: number): number {
  let close = colon - 1;
  while (close >= 0 && ((CHARS[text.charCodeAt(close)] ?? 0) & SPACE) !== 0) close--;
  return (CHARS[text.charCodeAt(close)] ?? 0) & QUOTE ? close : -1;
}

/**
 * Where KEYED can start for the key closed at `close`, or -1: the key holds no quote, so the quote
 * before it is the only start, and its colon is the one after `close`.
 */
function keyStart(text: string, close: number): number {
  // A key is 2 to 30 letters, each of them at most two UTF-16 units.
  for (let open = close - 1; open >= 0 && open >= close - 61; open--) {
    if ((CHARS[text.charCodeAt(open)] ?? 0) & QUOTE) return open;
  }
  return -1;
}

/** `Ejer 1: Shirwan Barzani, 101273-3719`, `Pårørende: Jens Hansen`: a label that says a name follows. */
// Not the English words alone: `Log Name: Application` is an event log's field.
const GENERIC_LABELS = new Set(['name', 'contact', 'owner', 'citizen', 'employee', 'surname']);
const NAME_LABELS = (HEADER_WORDS.find(([kind]) => kind === TokenKind.NAME)?.[1] ?? '')
  .split('|')
  .filter((label) => !GENERIC_LABELS.has(label))
  .sort((a, b) => b.length - a.length)
  .join('|');
const NAME_LABEL_BEFORE = new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${NAME_LABELS})[ \\t]*$`, 'iu');
const NAME_AFTER_LABEL = /[ \t]*(\p{Lu}[^\n,;:()<>[\]|"]{1,60})/uy;
const NAME_LABEL_TRIE = suffixTrie(NAME_LABELS.split('|'));

/** How far before a colon its label is looked for. */
const LABEL_REACH = 30;

/**
 * Read from each colon back and forth: colons are few, and a regex for every label at every position
 * was slow. A label read backwards from the colon is a candidate; NAME_LABEL_BEFORE has the last word.
 */
function labelled(text: string, colon: number, out: Span[]): void {
  if (!labelBefore(text, colon)) return;
  NAME_AFTER_LABEL.lastIndex = colon + 1;
  const raw = NAME_AFTER_LABEL.exec(text)?.[1];
  if (raw === undefined) return;
  const value = raw.trimEnd();
  const start = NAME_AFTER_LABEL.lastIndex - raw.length;
  out.push({ kind: TokenKind.NAME, start, end: start + value.length, confidence: 0.8 });
}

/** Keys (`"navn": "Jens"`) and labels (`Navn: Jens`) end at a colon. */
function colonFields(text: string, out: Span[]): void {
  const quoted = text.includes('"'); // a key's value is in double quotes
  let after = 0; // where KEYED may match next
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    if (quoted) after = keyed(text, colon, after, out);
    labelled(text, colon, out);
  }
}

function labelBefore(text: string, colon: number): boolean {
  const floor = Math.max(0, colon - LABEL_REACH);
  let end = colon;
  while (end > floor && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return endsWithWord(NAME_LABEL_TRIE, text, end, floor) && NAME_LABEL_BEFORE.test(text.slice(floor, colon));
}

export const columnsDetector: Detector = {
  name: 'columns',
  detect(text: string): Span[] {
    const out: Span[] = [];
    if (text.includes('\n')) tables(text, out);
    if (text.includes(':')) colonFields(text, out);
    return out;
  },
};
