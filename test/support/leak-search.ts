import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type AttributeValue,
  type DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Planted, ValueKind } from './canary-tickets.ts';

/** One kind of planted value found in one place: which tickets it came from, never the value. */
export interface LeakHit {
  kind: ValueKind;
  place: string;
  /** How many distinct planted values of the kind were found there. */
  values: number;
  /** Tickets that carried them (a few), to reproduce with. */
  tickets: string[];
  /** Where, for the first few: the text around each, the value itself replaced by `[KIND]`. */
  contexts: string[];
}

export interface SearchOptions {
  /**
   * Whether a single word of a name counts (`Mvh Jens`). Not in bytes that are not text (ciphertext,
   * compressed database blocks) read as text: there random bytes spell short names now and then.
   * @default true
   */
  nameParts?: boolean;
}

/** Text found in one place; `binary` when it is bytes that are not text, read as Latin-1 and UTF-8. */
export interface PlaceText {
  text: string;
  binary: boolean;
}

/** Bytes searched, by place. */
export interface Searched {
  place: string;
  bytes: number;
}

/**
 * Every separator a writer puts between the digits of a CPR or phone number (spaces, dots, hyphens,
 * dashes, plus, slash), up to three in a row: `010190-1234`, `01.01.90-1234`, `24 05 65 3942`,
 * `010190 – 1234`, `+45 20 30 40 50`. Applied after NFKC, so full-width digits are digits.
 */
const DIGIT_RUN = /\d(?:[\s.\-\u2010-\u2015+/]{0,3}\d)*/g;
const EMAIL = /[\p{L}\p{N}._%+-]+(?:@|%40)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const WORD = /[\p{L}\p{N}_]+/gu;
const LETTERS = /^\p{L}+$/u;

/** A name as the word search sees it: lower case, words of letters only, hyphens and spaces alike. */
export const nameWords = (s: string) => s.normalize('NFKC').toLowerCase().match(WORD) ?? [];

/**
 * The planted values, indexed so that one pass over a text finds every one of them in any written
 * form: CPR numbers as any ten digits in a run of digits and separators; phone numbers as groups of
 * such a run making eight digits (after `45` or `0045`); e-mail addresses case-insensitively, also
 * with `%40`; names as word sequences case-insensitively (`JENS HANSEN`, `jens-hansen`, `Hansens`),
 * and every part of a name as a word of its own (`Mvh Jens`).
 */
export class PlantedIndex {
  readonly #values: Record<ValueKind, Map<string, Set<string>>> = {
    CPR: new Map(),
    NAME: new Map(),
    EMAIL: new Map(),
    PHONE: new Map(),
  };
  readonly #nameStarts = new Set<string>();
  #maxNameWords = 1;

  add(ticketId: string, planted: Planted): void {
    const put = (kind: ValueKind, key: string) => {
      const tickets = this.#values[kind].get(key) ?? new Set<string>();
      tickets.add(ticketId);
      this.#values[kind].set(key, tickets);
    };
    for (const c of planted.cpr) put('CPR', c);
    for (const p of planted.phones) put('PHONE', p);
    for (const e of planted.emails) put('EMAIL', e.normalize('NFKC').toLowerCase());
    for (const n of planted.names) {
      const words = nameWords(n);
      put('NAME', words.join(' '));
      for (const w of words) put('NAME', w);
      this.#nameStarts.add(words[0] ?? '');
      this.#maxNameWords = Math.max(this.#maxNameWords, words.length);
    }
  }

  /** How many distinct values of each kind are planted. */
  counts(): Record<ValueKind, number> {
    return {
      CPR: this.#values.CPR.size,
      NAME: [...this.#values.NAME.keys()].filter((k) => k.includes(' ')).length,
      EMAIL: this.#values.EMAIL.size,
      PHONE: this.#values.PHONE.size,
    };
  }

  /** Every planted value in `text`, by kind (values are keys of the index: for counting, never for printing). */
  find(text: string, options: SearchOptions = {}): Record<ValueKind, Set<string>> {
    const parts = options.nameParts ?? true;
    const found: Record<ValueKind, Set<string>> = {
      CPR: new Set(),
      NAME: new Set(),
      EMAIL: new Set(),
      PHONE: new Set(),
    };
    const t = text.normalize('NFKC');
    const has = (kind: ValueKind, key: string) => {
      if (this.#values[kind].has(key)) found[kind].add(key);
    };
    for (const match of t.matchAll(DIGIT_RUN)) {
      const run = match[0];
      const groups = run.split(/\D+/);
      const digits = groups.join('');
      for (let k = 0; k + 10 <= digits.length; k++) has('CPR', digits.slice(k, k + 10));
      // Digits inside a hex id or UUID (event ids, request ids) join across its hyphens into
      // eight-digit numbers now and then; no phone number is written inside one.
      if (insideHexId(t, match.index, match.index + run.length)) continue;
      for (let a = 0; a < groups.length; a++) {
        let joined = '';
        for (let b = a; b < groups.length && joined.length < 12; b++) {
          joined += groups[b];
          if (joined.length === 8) has('PHONE', joined);
          if (joined.length === 10 && joined.startsWith('45')) has('PHONE', joined.slice(2));
          if (joined.length === 12 && joined.startsWith('0045')) has('PHONE', joined.slice(4));
        }
      }
    }
    const lower = t.toLowerCase();
    for (const [address] of lower.matchAll(EMAIL)) {
      const normal = address.replace(/%40/g, '@');
      has('EMAIL', normal);
      // `mailto:` and `?email=` are outside the pattern; a leading `.` or `+` from prose is not part of it.
      has('EMAIL', normal.replace(/^[.+%-]+/, ''));
    }
    const words = lower.match(WORD) ?? [];
    for (let j = 0; j < words.length; j++) {
      const word = words[j] as string;
      if (!LETTERS.test(word)) continue;
      if (parts) {
        has('NAME', word);
        if (word.endsWith('s')) has('NAME', word.slice(0, -1));
      }
      if (!this.#nameStarts.has(word)) continue;
      let joined = word;
      for (let n = 2; n <= this.#maxNameWords && j + n <= words.length; n++) {
        const next = words[j + n - 1] as string;
        if (!LETTERS.test(next)) break;
        joined += ` ${next}`;
        has('NAME', joined);
        if (next.endsWith('s')) has('NAME', joined.slice(0, -1));
      }
    }
    return found;
  }

  /** Hits of each kind in `text`, as a report names them: the place and the tickets, never the values. */
  search(place: string, text: string, options: SearchOptions = {}): LeakHit[] {
    const found = this.find(text, options);
    return (Object.keys(found) as ValueKind[]).flatMap((kind) => {
      const values = found[kind];
      if (values.size === 0) return [];
      const tickets = new Set<string>();
      for (const v of values) for (const t of this.#values[kind].get(v) ?? []) tickets.add(t);
      const contexts = [...values].slice(0, 3).map((v) => this.maskedContext(text, kind, v));
      return [{ kind, place, values: values.size, tickets: [...tickets].slice(0, 5), contexts }];
    });
  }

  /**
   * The text around the first place `value` is written, the value replaced by `[KIND]`, every other
   * planted value in the window by its kind too, and every digit by `#`: where, never what.
   */
  maskedContext(text: string, kind: ValueKind, value: string): string {
    const t = text.normalize('NFKC');
    const match = [...t.matchAll(patternOf(kind, value))].find(
      (m) => kind !== 'PHONE' || !insideHexId(t, m.index, m.index + m[0].length),
    );
    if (!match) return '(found as words or digits apart)';
    const from = Math.max(0, match.index - 40);
    const to = match.index + match[0].length + 40;
    // Whatever the window's edges cut is left out: a part of a value would not be recognized.
    const before = t.slice(from, match.index).replace(from > 0 ? /^\S*/ : /^/, '');
    const after = t.slice(match.index + match[0].length, to).replace(to < t.length ? /\S*$/ : /$/, '');
    let window = `${before}\u0000${after}`;
    const others = this.find(window);
    for (const k of Object.keys(others) as ValueKind[]) {
      for (const v of others[k]) window = window.replace(patternOf(k, v), `[${k}]`);
    }
    return window.replace('\u0000', `[${kind}]`).replace(/\d/g, '#').replace(/\s+/g, ' ');
  }

  /** Planted values that `text` does not contain, by kind: a search that cannot find what is there proves nothing. */
  missing(text: string): Record<ValueKind, number> {
    const found = this.find(text);
    const count = (kind: ValueKind, keys: Iterable<string>) =>
      [...keys].filter((k) => !found[kind].has(k)).length;
    return {
      CPR: count('CPR', this.#values.CPR.keys()),
      NAME: count(
        'NAME',
        [...this.#values.NAME.keys()].filter((k) => k.includes(' ')),
      ),
      EMAIL: count('EMAIL', this.#values.EMAIL.keys()),
      PHONE: count('PHONE', this.#values.PHONE.keys()),
    };
  }
}

/** Whether `text[start, end)` lies inside a hex id or UUID of at least 16 characters with letters in it. */
function insideHexId(text: string, start: number, end: number): boolean {
  const hex = /[0-9a-fA-F-]/;
  let from = start;
  let to = end;
  while (from > 0 && hex.test(text[from - 1] ?? '')) from--;
  while (to < text.length && hex.test(text[to] ?? '')) to++;
  const token = text.slice(from, to);
  return token.length >= 16 && /[a-fA-F]/.test(token);
}

/** Where `value` is written in a text: digits with any separators, words with anything between. */
function patternOf(kind: ValueKind, value: string): RegExp {
  if (kind === 'CPR' || kind === 'PHONE') {
    return new RegExp(value.split('').join('[\\s.\\-\\u2010-\\u2015+/]{0,3}'), 'g');
  }
  const literal = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body =
    kind === 'EMAIL'
      ? value.split('@').map(literal).join('(?:@|%40)')
      : `${value.split(' ').map(literal).join('[^\\p{L}\\p{N}]+')}s?`;
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'giu');
}

/** One DynamoDB attribute as text, every type; binary values go to `bytes` (read as UTF-8 and Latin-1). */
function attributeText(value: AttributeValue, out: string[], bytes: string[]): void {
  const binary = (b: Uint8Array) =>
    bytes.push(Buffer.from(b).toString('utf8'), Buffer.from(b).toString('latin1'));
  if (value.S !== undefined) out.push(value.S);
  if (value.N !== undefined) out.push(value.N);
  if (value.B !== undefined) binary(value.B);
  for (const s of value.SS ?? []) out.push(s);
  for (const n of value.NS ?? []) out.push(n);
  for (const b of value.BS ?? []) binary(b);
  for (const item of value.L ?? []) attributeText(item, out, bytes);
  for (const [key, item] of Object.entries(value.M ?? {})) {
    out.push(key);
    attributeText(item, out, bytes);
  }
}

/**
 * Every item of every table: per table its text (attribute names, strings, numbers) and, apart, its
 * binary attributes (the vault's ciphertexts and wrapped keys) read as text.
 */
export async function allTablesText(client: DynamoDBClient): Promise<Map<string, PlaceText>> {
  const places = new Map<string, PlaceText>();
  let startTable: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: startTable }));
    for (const table of page.TableNames ?? []) {
      const parts: string[] = [];
      const bytes: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const scan = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        for (const item of scan.Items ?? []) {
          for (const [key, value] of Object.entries(item)) {
            parts.push(key);
            attributeText(value, parts, bytes);
          }
        }
        start = scan.LastEvaluatedKey;
      } while (start);
      places.set(`table ${table}`, { text: parts.join('\n'), binary: false });
      places.set(`table ${table}, binary attributes`, { text: bytes.join('\n'), binary: true });
    }
    startTable = page.LastEvaluatedTableName;
  } while (startTable);
  return places;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isText = (bytes: Uint8Array) => {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/**
 * Every regular file under `dir`, grouped by a place name with the numbers of generated file names
 * folded (`queue/dead/*`, `dynamodb/*.ldb`); a file that is not UTF-8 is read as UTF-8 and Latin-1
 * and marked binary. `exclude` names paths relative to `dir` left out on purpose.
 */
export async function filesText(
  dir: string,
  exclude: readonly string[] = [],
): Promise<Map<string, PlaceText>> {
  const places = new Map<string, { parts: string[]; binary: boolean }>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at).catch(() => [] as string[])) {
      const path = join(at, entry);
      const rel = relative(dir, path);
      if (exclude.includes(rel)) continue;
      const stat = await lstat(path).catch(() => undefined);
      if (stat?.isDirectory()) await walk(path);
      else if (stat?.isFile()) {
        const bytes = await readFile(path).catch(() => undefined);
        if (!bytes) continue;
        const text = isText(bytes);
        const folded = rel.startsWith('queue/')
          ? `${rel.split('/').slice(0, 2).join('/')}/*`
          : rel.replace(/\d+/g, '*');
        const place = text ? folded : `${folded} (binary)`;
        const entry = places.get(place) ?? { parts: [], binary: !text };
        entry.parts.push(
          ...(text ? [bytes.toString('utf8')] : [bytes.toString('utf8'), bytes.toString('latin1')]),
        );
        places.set(place, entry);
      }
    }
  };
  await walk(dir);
  return new Map(
    [...places].map(([place, { parts, binary }]) => [place, { text: parts.join('\n'), binary }]),
  );
}
