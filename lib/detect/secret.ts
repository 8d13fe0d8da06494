import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Credentials pasted into tickets. They become SECRET tokens, which are never stored: nobody, not
 * even an authorized person, can get a password back from the proxy. A JWT counts too: MitID,
 * NemLog-in and OIDC tokens carry CPR numbers and names in their payload.
 *
 * Each pattern is a forward match whose group 1, when present, is the secret: variable-length
 * lookbehinds are tried at every position of the text and were the detector's main cost.
 */

/**
 * A word that labels a credential: a keyword alone, or inside a setting's name (`DB_PASSWORD`,
 * `aws_secret_access_key`, `ClientSecret`), or a Danish compound (`adgangskode`, `startkoden`).
 * Found from the keyword outwards: a pattern that tried every word for a keyword inside was slow.
 */
const KEYWORD =
  /pass(?:word|wd|wort|code)?|pwd|pw|pin|secret|token|api[_-]?key|apikey|key|salt|community|sig|kode(?:ord)?|nøgle/iuy;
/**
 * A test of one UTF-16 unit against a one-character pattern, remembered per unit: testing each
 * character with a regex (and slicing it out first) was a large part of finding a label.
 */
function unitTest(pattern: RegExp): (c: number) => boolean {
  const known = new Uint8Array(0x10000);
  return (c) => {
    let answer = known[c];
    if (answer === 0) {
      answer = pattern.test(String.fromCharCode(c)) ? 1 : 2;
      known[c] = answer;
    }
    return answer === 1;
  };
}
/** A letter, digit, `_`, `.` or `-`; never half of a surrogate pair. */
const isLabelChar = unitTest(/[\p{L}\p{N}_.-]/u);
const isLower = unitTest(/\p{Ll}/u);
const isUpper = unitTest(/\p{Lu}/u);
const isSeparator = (c: number) => c === 0x5f || c === 0x2e || c === 0x2d; // _ . -
const DANISH_KODE =
  /^(?:adgangs|start|engangs|pin|sikkerheds|aktiverings|login|bruger|nøgle|wifi-|wi-fi-|netværks|dør|alarm|api-|db-|laps-|pfx-)?$/i;
const KEY_PREFIX = /(?:api|access|account|auth|private|secret|encryption|license|licens|product|shared)$/i;
const INFLECTION = /^(?:en|et|n|ord|ordet|s|ene)?$/i;

/**
 * Whether the keyword in a word of label characters labels a credential. Label characters hold no
 * surrogates, so the letters either side of a boundary are single units.
 */
function isLabel(
  text: string,
  start: number,
  keywordStart: number,
  keywordEnd: number,
  end: number,
): boolean {
  const camelAt = (i: number) => isLower(text.charCodeAt(i - 1)) && isUpper(text.charCodeAt(i));
  const suffixOk =
    end === keywordEnd ||
    // INFLECTION is at most five characters long.
    (end - keywordEnd <= 5 && INFLECTION.test(text.slice(keywordEnd, end))) ||
    isSeparator(text.charCodeAt(keywordEnd)) ||
    camelAt(keywordEnd);
  if (!suffixOk) return false;
  if (start === keywordStart || isSeparator(text.charCodeAt(keywordStart - 1)) || camelAt(keywordStart)) {
    return true;
  }
  const keyword = text.slice(keywordStart, keywordEnd).toLowerCase();
  const prefix = text.slice(start, keywordStart);
  return (
    (keyword.startsWith('kode') && DANISH_KODE.test(prefix)) || (keyword === 'key' && KEY_PREFIX.test(prefix))
  );
}

/** After `:` or `=`, whatever follows is the secret. */
const ASSIGNED =
  /["']?(?:[ \t]*(?:til [^:(\n]{1,30}|\([^)\n]{0,40}\))){0,2}[ \t]*[:=][ \t]*["']?(?:\{\{)?([^\s"',;{}]{4,})/y;
/** After `er`, `is`, `til` or a space, only what looks like a password: letters with a digit or symbol. */
const STATED =
  /[ \t]+(?:(?:til|for)[ \t]+\S+[ \t]+)?(?:(?:er|is|was|var|sat til|er sat til|er nu)[ \t]+)?["']?(?:\{\{)?((?=[^\s"',;]*[\d!#$%&*@^~+])(?=[^\s"',;]*\p{L})[^\s"',;{}]{5,}(?<!\?))/uy;
/** A PIN or code of digits only: `min kode er 281094`. */
const STATED_DIGITS = /[ \t]+(?:(?:er|is|til|er nu)[ \t]+)?:?[ \t]*(\d{4,8})(?![\d.,/-])/y;
/** Not secrets but what stands in for one: `********`, `${DB_PASSWORD}`, `@Microsoft.KeyVault(…)`. */
const PLACEHOLDER =
  /^(?:[*x•.]+|[$%]\{.*|\{\{.*|<.*>?|@Microsoft\.KeyVault.*|\$.*|https?:\/\/.*|~?\.?\/.*|[A-Z][a-z]+-[A-Z][A-Za-z]+|true|false|null|none|required|optional|.*\s.*)$/i;
const TOKEN_LIKE = /^[A-Z]{2,10}_[A-Z2-7]{10,16}$/;

const isBlank = (c: number) => c === 0x20 || c === 0x09;
/** Whether ASSIGNED can match at `i`: past a quote and blanks it needs `:`, `=`, `til` or `(`. */
function mayAssign(text: string, i: number): boolean {
  let c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x27) c = text.charCodeAt(++i);
  while (isBlank(c)) c = text.charCodeAt(++i);
  return c === 0x3a || c === 0x3d || c === 0x74 || c === 0x28;
}
/** Keywords that a PIN of digits only may follow. As `/^(?:kode|pin)/i` on the keyword, at its start. */
const CODE_KEYWORD = /kode|pin/iy;

/** The value that `pattern` finds at `i`, unless it is a placeholder. */
function valueAt(pattern: RegExp, text: string, i: number): Span | undefined {
  pattern.lastIndex = i;
  const m = pattern.exec(text);
  const value = m?.[1];
  if (!m || value === undefined || PLACEHOLDER.test(value)) return undefined;
  return secretSpan(pattern.lastIndex - value.length, pattern.lastIndex);
}

/**
 * The value that the keyword from `keywordStart` to `keywordEnd` announces, if its word is a label:
 * `adgangskode: Sommer2026!`, `DB_PASSWORD=…`, `pw Lh-Kald2026`.
 */
function announced(text: string, keywordStart: number, keywordEnd: number, run: LabelRun): Span | undefined {
  let start = keywordStart;
  let end = keywordEnd;
  if (run.from <= keywordStart && keywordEnd <= run.to) {
    start = run.from;
    end = run.to;
  } else {
    while (start > 0 && isLabelChar(text.charCodeAt(start - 1))) start--;
    while (end < text.length && isLabelChar(text.charCodeAt(end))) end++;
    if (allLabelChars(text, keywordStart, keywordEnd)) Object.assign(run, { from: start, to: end });
  }
  // TOKEN_LIKE is 13 to 27 characters long.
  const tokenLike = end - start >= 13 && end - start <= 27 && TOKEN_LIKE.test(text.slice(start, end));
  if (tokenLike || !isLabel(text, start, keywordStart, keywordEnd, end)) return undefined;
  // `sig` alone is Danish (`henvendte sig: …`); as a label it is a signed URL's `sig=…`.
  if (end - start === 3 && text.charCodeAt(end) !== 0x3d && text.slice(start, end).toLowerCase() === 'sig') {
    return undefined;
  }
  // In this order; STATED and STATED_DIGITS start with blanks, and the checks skip what cannot match.
  const assigned = mayAssign(text, end) ? valueAt(ASSIGNED, text, end) : undefined;
  if (assigned !== undefined || !isBlank(text.charCodeAt(end))) return assigned;
  CODE_KEYWORD.lastIndex = keywordStart;
  return (
    valueAt(STATED, text, end) ?? (CODE_KEYWORD.test(text) ? valueAt(STATED_DIGITS, text, end) : undefined)
  );
}

/**
 * The last whole run of label characters walked: a keyword inside it has the same label bounds, so
 * a run of thousands of keywords (a log line of `key-key-…`) is walked once, not once per keyword.
 */
interface LabelRun {
  from: number;
  to: number;
}

function allLabelChars(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isLabelChar(text.charCodeAt(i))) return false;
  return true;
}

/** Credentials that say what they are. Group `v` is the secret, else the whole match. One scan for all. */
const FORMATS = [
  // JWTs, and what follows Bearer or Basic.
  String.raw`\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*`,
  String.raw`\b(?:[Bb]earer|[Bb]asic|BEARER|BASIC)\s+(?<v>[\w~+/.-]{16,}=*)`,
  // curl -u user:password, ConvertTo-SecureString "…", define('DB_PASSWORD', '…')
  String.raw`(?<!\S)-u[ \t]+["']?[^\s:"']+:(?<v>[^\s"']{3,})`,
  String.raw`ConvertTo-SecureString[ \t]+["'](?<v>[^"']{3,})["']`,
  String.raw`\bdefine\(\s*'[A-Z_]*(?:KEY|SALT|PASSWORD)[A-Z_]*'\s*,\s*'(?<v>[^']{4,})'`,
  // Key formats: AWS, GitHub, Slack, Atlassian, Google, Stripe, SendGrid, PEM private keys.
  String.raw`\bAKIA[0-9A-Z]{16}\b`,
  String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`\bATATT[A-Za-z0-9_=-]{20,}`,
  String.raw`\bAIza[0-9A-Za-z_-]{35}\b`,
  String.raw`\b[spr]k_(?:live|test)_[0-9A-Za-z]{10,}\b`,
  String.raw`\bSG\.[\w-]{16,}\.[\w-]{16,}`,
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`,
  // BitLocker recovery keys: eight groups of six digits.
  String.raw`\b\d{6}(?:-\d{6}){7}\b`,
  // The password in a connection URL: postgres://user:hemmelig@host/db
  String.raw`:\/\/[^\s:/@]*:(?<v>[^\s@/]{3,})@`,
];
const KEY_END = /-----END [A-Z ]*PRIVATE KEY-----/g;
let group = 0;
const FORMAT = new RegExp(
  FORMATS.map((f) => `(?:${f.replace(/\(\?<v>/g, () => `(?<v${group++}>`)})`).join('|'),
  'y',
);

/**
 * Where a keyword or a format can start, by its first three characters (`null`: any). KEYWORD and
 * FORMAT scanned at every position were most of the detector's cost; one pass over the character
 * codes finds the few places where one can start, and it is tried there only. Under /iu, `ſ`
 * (U+017F) matches `s` and the Kelvin sign (U+212A) matches `k`. No two formats share a start, and
 * FORMAT is tried whole, so which alternative wins is as in a scan.
 */
const KEYWORD_STARTS: readonly (readonly [string, string, string | null])[] = [
  ['pP', 'aA', 'sS\u017f'], // pass, password, passwd, passwort, passcode
  ['pP', 'wW', null], // pw, pwd
  ['pP', 'iI', 'nN'],
  ['sS\u017f', 'eE', 'cC'],
  ['sS\u017f', 'aA', 'lL'],
  ['sS\u017f', 'iI', 'gG'],
  ['tT', 'oO', 'kK\u212a'],
  ['aA', 'pP', 'iI'],
  ['kK\u212a', 'eE', 'yY'],
  ['kK\u212a', 'oO', 'dD'],
  ['cC', 'oO', 'mM'],
  ['nN', 'øØ', 'gG'],
];
const DIGIT = '0123456789';
/**
 * Starts seen where they are told apart from text, after their first character: a BitLocker key
 * six digits in, at its first dash (most numbers are no key); a PEM block four dashes in, at `BEGIN`.
 * No other format can start between, so trying them late finds what a scan would.
 */
const BITLOCKER = [DIGIT, '-', DIGIT] as const;
const PEM = ['-', 'B', 'E'] as const;
const FORMAT_STARTS: readonly (readonly [string, string, string])[] = [
  ['e', 'y', 'J'],
  ['Bb', 'e', 'a'], // Bearer
  ['Bb', 'a', 's'], // Basic
  ['B', 'EA', 'AS'], // BEARER, BASIC
  ['-', 'u', ' \t'],
  ['C', 'o', 'n'],
  ['d', 'e', 'f'],
  ['A', 'K', 'I'],
  ['g', 'h', 'pousr'],
  ['x', 'o', 'x'],
  ['A', 'T', 'A'],
  ['A', 'I', 'z'],
  ['spr', 'k', '_'],
  ['S', 'G', '.'],
  BITLOCKER,
  PEM,
  [':', '/', '/'],
];
/**
 * By the low byte of a character code: a bit for each start that the character can be the first,
 * second or third character of. The text is scanned as Latin-1 bytes, where a character above U+00FF
 * is its low byte: it may make a start that the sticky pattern then rejects, but never hides one.
 */
const FIRST = new Int32Array(256);
const SECOND = new Int32Array(256);
const THIRD = new Int32Array(256);
const KEYWORD_BITS = (1 << KEYWORD_STARTS.length) - 1;
const BITLOCKER_BIT = 1 << (KEYWORD_STARTS.length + FORMAT_STARTS.indexOf(BITLOCKER));
const PEM_BIT = 1 << (KEYWORD_STARTS.length + FORMAT_STARTS.indexOf(PEM));
const FORMAT_HERE_BITS = ~KEYWORD_BITS & ~BITLOCKER_BIT & ~PEM_BIT;
function addBit(table: Int32Array, characters: Iterable<string>, bit: number): void {
  for (const c of characters) table[c.charCodeAt(0) & 0xff] = (table[c.charCodeAt(0) & 0xff] ?? 0) | bit;
}
const ALL_BYTES = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));
for (const [i, [first, second, third]] of [...KEYWORD_STARTS, ...FORMAT_STARTS].entries()) {
  addBit(FIRST, first, 1 << i);
  addBit(SECOND, second, 1 << i);
  // `pw` may be followed by anything, also by the end of the text, read as a zero byte.
  addBit(THIRD, third ?? ALL_BYTES, 1 << i);
}

/**
 * The same by pairs of bytes, read as one 16-bit unit: the scan takes two characters a step, which
 * halved its cost. For the unit at j (characters 2j and 2j + 1) and the next one: a start at 2j has
 * `EVEN_START[unit] & EVEN_END[next]`, one at 2j + 1 has `ODD_START[unit] & ODD_END[next]`.
 */
const EVEN_START = new Int32Array(0x10000);
const EVEN_END = new Int32Array(0x10000);
const ODD_START = new Int32Array(0x10000);
const ODD_END = new Int32Array(0x10000);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
for (let unit = 0; unit < 0x10000; unit++) {
  const first = LITTLE_ENDIAN ? unit & 0xff : unit >> 8;
  const second = LITTLE_ENDIAN ? unit >> 8 : unit & 0xff;
  EVEN_START[unit] = (FIRST[first] ?? 0) & (SECOND[second] ?? 0);
  EVEN_END[unit] = THIRD[first] ?? 0;
  ODD_START[unit] = FIRST[second] ?? 0;
  ODD_END[unit] = (SECOND[first] ?? 0) & (THIRD[second] ?? 0);
}

/**
 * The text as Latin-1, one byte per UTF-16 unit, and zero bytes after it: Node writes it natively,
 * and reading it costs less than `charCodeAt`. Zeroed after each scan, so no text outlives its
 * detection here.
 */
const SMALL = 4096;
let latin1: Buffer = Buffer.alloc(SMALL);
let units = new Uint16Array(latin1.buffer, latin1.byteOffset, latin1.length / 2);
/**
 * Where a keyword or a format may start, as pairs of position and start bits. Positions first,
 * tried after: most texts have none, and then no scan state is made at all.
 */
function findStarts(text: string): number[] {
  const length = text.length;
  if (latin1.length < length + 4) setBuffer(Buffer.alloc(2 ** Math.ceil(Math.log2(length + 4))));
  const pairs = units;
  const starts: number[] = [];
  latin1.write(text, 0, 'latin1');
  let unit = pairs[0] ?? 0;
  for (let j = 0; 2 * j < length; j++) {
    const next = pairs[j + 1] ?? 0;
    const even = (EVEN_START[unit] ?? 0) & (EVEN_END[next] ?? 0);
    const odd = (ODD_START[unit] ?? 0) & (ODD_END[next] ?? 0);
    if (even !== 0) starts.push(2 * j, even);
    if (odd !== 0) starts.push(2 * j + 1, odd);
    unit = next;
  }
  // TypedArray's fill: Buffer's checks its arguments first, which cost more than the zeroing.
  Uint8Array.prototype.fill.call(latin1, 0, 0, length);
  // A large ticket's buffer is not kept for the life of the process.
  if (latin1.length > 16 * SMALL) setBuffer(Buffer.alloc(SMALL));
  return starts;
}

function setBuffer(buffer: Buffer): void {
  latin1 = buffer;
  units = new Uint16Array(latin1.buffer, latin1.byteOffset, latin1.length / 2);
}

/**
 * One text's secrets, found start by start. KEYWORD and FORMAT each go on after their own last
 * match, as their global scans would.
 */
class Scan {
  readonly spans: Span[] = [];
  private formatSpans: Span[] | undefined;
  private keywordsFrom = 0;
  private formatsFrom = 0;
  /** The end of the last announced value: a keyword inside it announces nothing. */
  private announcedTo = 0;
  private readonly text: string;
  private readonly labelRun: LabelRun = { from: 0, to: -1 };
  /** Where the text's last private key END line starts, -1 if none, once looked for. */
  private lastKeyEnd: number | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** Tries the keyword and formats that the characters from `i` on may start. */
  at(i: number, starts: number): void {
    if ((starts & KEYWORD_BITS) !== 0 && i >= this.keywordsFrom) this.keywordAt(i);
    // A BitLocker key has its next dash seven characters on.
    if ((starts & BITLOCKER_BIT) !== 0 && this.text.charCodeAt(i + 8) === 0x2d) this.formatAt(i - 5);
    if ((starts & PEM_BIT) !== 0 && this.keyEndsAfter(i)) this.formatAt(i - 4);
    if ((starts & FORMAT_HERE_BITS) !== 0) this.formatAt(i);
  }

  private keywordAt(i: number): void {
    KEYWORD.lastIndex = i;
    if (!KEYWORD.test(this.text)) return;
    this.keywordsFrom = KEYWORD.lastIndex;
    if (i < this.announcedTo) return;
    const value = announced(this.text, i, KEYWORD.lastIndex, this.labelRun);
    if (value === undefined) return;
    this.spans.push(value);
    this.announcedTo = value.end;
  }

  /**
   * Whether a private key's END line comes after `i`: without one, a BEGIN line read on to the end of
   * the text, and a text of BEGIN lines took seconds.
   */
  private keyEndsAfter(i: number): boolean {
    if (this.lastKeyEnd === undefined) {
      this.lastKeyEnd = -1;
      for (const m of allMatches(KEY_END, this.text)) this.lastKeyEnd = m.index;
    }
    return this.lastKeyEnd > i;
  }

  private formatAt(i: number): void {
    if (i < this.formatsFrom || i < 0) return;
    FORMAT.lastIndex = i;
    const match = FORMAT.exec(this.text);
    if (match === null) return;
    this.formatsFrom = FORMAT.lastIndex;
    const secret = Object.values(match.groups ?? {}).find((v) => v !== undefined) ?? match[0];
    if (PLACEHOLDER.test(secret)) return;
    // The secret ends where the match does, but for a closing quote or the `@` of a connection URL.
    const end = match.index + match[0].lastIndexOf(secret) + secret.length;
    this.formatSpans ??= [];
    this.formatSpans.push(secretSpan(end - secret.length, end));
  }

  /** Announced values first, then formats, as found. */
  result(): Span[] {
    if (this.formatSpans !== undefined) this.spans.push(...this.formatSpans);
    return this.spans;
  }
}

/** The text's secrets, tried only where a keyword or a format may start. */
function detectSecrets(text: string): Span[] {
  if (text.length < 2) return [];
  const starts = findStarts(text);
  if (starts.length === 0) return [];
  const scan = new Scan(text);
  for (let k = 0; k < starts.length; k += 2) scan.at(starts[k] ?? 0, starts[k + 1] ?? 0);
  return scan.result();
}

function secretSpan(start: number, end: number): Span {
  return { kind: TokenKind.SECRET, start, end, confidence: 0.95 };
}

export const secretDetector: Detector = {
  name: 'secret',
  detect: detectSecrets,
};
