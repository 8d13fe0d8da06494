import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

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
  headerKinds.set(cell, kind);
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

/** The cells of one line split by `separator`, trimmed of spaces and quotes, with their offsets. */
function cells(line: string, at: number, separator: string): Cell[] {
  const out: Cell[] = [];
  let from = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== separator) continue;
    let s = from;
    let e = i;
    while (s < e && /[\s"']/.test(line[s] ?? '')) s++;
    while (e > s && /[\s"']/.test(line[e - 1] ?? '')) e--;
    out.push({ start: at + s, end: at + e });
    from = i + 1;
  }
  return out;
}

const SEPARATORS = [';', '\t', '|', ','] as const;

/** A header line and the rows under it, for CSV, TSV, Jira (`||a||b||`) and Markdown tables. */
/** Whether any line holds a header cell; most texts have none and skip the line-by-line reading. */
const ANY_HEADER = new RegExp(
  `(?:^|[;\\t|,])[ \\t"'*_]*(?:\\p{L}+[ _-]?)?(?:${[...HEADERS.keys()].map((h) => h.replace(/[.]/g, '\\.')).join('|')})[ \\t"'*_:]*(?=[;\\t|,]|$)`,
  'imu',
);

function* tables(text: string): Iterable<Span> {
  if (!ANY_HEADER.test(text)) return;
  const lines: { text: string; at: number }[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    lines.push({ text: line, at });
    at += line.length + 1;
  }
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i] as { text: string; at: number };
    const separator = SEPARATORS.find((s) => header.text.includes(s));
    if (!separator) continue;
    // Jira headers double the bar: `||Navn||Kode||` reads as `|Navn|Kode|` once halved.
    const headerText = separator === '|' ? header.text.replaceAll('||', '|') : header.text;
    const kinds = cells(headerText, 0, separator).map((c) => headerKind(headerText.slice(c.start, c.end)));
    if (!kinds.some((k) => k !== undefined)) continue;
    const width = kinds.length;
    let row = i + 1;
    for (; row < lines.length; row++) {
      const line = lines[row] as { text: string; at: number };
      if (/^\s*\|?\s*:?-{3,}/.test(line.text)) continue; // Markdown's |---|---|
      const rowCells = cells(line.text, line.at, separator);
      // A row has the header's width (CSV may lack trailing empties); anything else ends the table.
      if (rowCells.length < 2 || Math.abs(rowCells.length - width) > 1) break;
      for (const [c, cell] of rowCells.entries()) {
        const kind = kinds[c];
        const value = text.slice(cell.start, cell.end);
        if (kind && cell.end > cell.start && WORTH.test(value) && !EMPTY.test(value)) {
          yield { kind, start: cell.start, end: cell.end, confidence: 0.85 };
        }
      }
    }
    i = row - 1;
  }
}

/** `"fornavn": "Jens"`, `'password': 'x'`: a JSON or dictionary key that says what its string is. */
const KEYED = /["']([\p{L}_ -]{2,30})["']\s*:\s*"([^"\\\n]{1,200})"/gu;

function* keyed(text: string): Iterable<Span> {
  for (const m of allMatches(KEYED, text)) {
    const key = (m[1] ?? '').replace(/_/g, ' ');
    const kind = headerKind(key) ?? headerKind(key.replace(/ /g, ''));
    const value = m[2] ?? '';
    if (!kind || !WORTH.test(value) || EMPTY.test(value.trim())) continue;
    const end = m.index + m[0].length - 1;
    yield { kind, start: end - value.length, end, confidence: 0.85 };
  }
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

/** Read from each colon back and forth: colons are few, and a regex for every label at every position was slow. */
function* labelled(text: string): Iterable<Span> {
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    if (!NAME_LABEL_BEFORE.test(text.slice(Math.max(0, colon - 30), colon))) continue;
    NAME_AFTER_LABEL.lastIndex = colon + 1;
    const raw = NAME_AFTER_LABEL.exec(text)?.[1];
    if (raw === undefined) continue;
    const value = raw.trimEnd();
    const start = NAME_AFTER_LABEL.lastIndex - raw.length;
    yield { kind: TokenKind.NAME, start, end: start + value.length, confidence: 0.8 };
  }
}

export const columnsDetector: Detector = {
  name: 'columns',
  *detect(text: string): Iterable<Span> {
    if (text.includes('\n') && /[;\t|,]/.test(text)) yield* tables(text);
    if (text.includes(':')) {
      yield* keyed(text);
      yield* labelled(text);
    }
  },
};
