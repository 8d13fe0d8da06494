/**
 * The labelled evaluation corpus: hand-written servicedesk tickets with inline gold annotations.
 *
 * File format (`corpus/*.txt`, UTF-8):
 *
 * ```
 * # a comment line (only outside text sections)
 * === SD-1001
 * reporter: Jens Hansen <jens.hansen@ballerup.dk>
 * summary: Kan ikke se medicinliste for ⟦NAME|Karen Sørensen⟧
 * --- description
 * Hej support
 *
 * Borgeren ⟦NAME|Karen Sørensen⟧ (⟦CPR|120345-1234⟧) ...
 * --- comment c1 | author: Mette Larsen <mela@ballerup.dk> | internal
 * ...
 * ```
 *
 * - `=== ID` starts a ticket (any line starting with `===` is read as one, so section text cannot start
 *   with `===`). The header lines after it are `summary:` (required) and `reporter:`
 *   (optional; `Name <email>`, `Name` or an e-mail address). Blank and `#` lines are ignored there.
 * - `--- description` and `--- comment ID [| author: Name <email>] [| internal]` start text sections,
 *   which run to the next section or ticket line. Leading and trailing blank lines of a section are
 *   dropped; every other line is kept verbatim, including lines that start with `#`.
 * - `⟦KIND|value⟧` marks gold spans in the summary and in text sections. KIND is one of
 *   {@link GOLD_KINDS}; the value is written exactly as it appears in the ticket and may span lines.
 *   Annotations never nest. `reporter:` and `author:` are structured fields and carry no annotations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';

export const GOLD_KINDS = ['CPR', 'NAME', 'EMAIL', 'PHONE', 'ADDR', 'SECRET'] as const;
export type GoldKind = (typeof GOLD_KINDS)[number];

/** A gold span: UTF-16 offsets into the clean text, end exclusive. */
export interface GoldSpan {
  kind: GoldKind;
  start: number;
  end: number;
}

/** One text field of a ticket: its path in the ticket, the clean text and the gold spans in it. */
export interface EvalField {
  path: string;
  text: string;
  gold: GoldSpan[];
}

export interface EvalTicket {
  id: string;
  /** The corpus file the ticket came from (its base name). */
  file: string;
  ticket: GenericTicket;
  fields: EvalField[];
}

/** A malformed corpus file; the message starts with `file:line`. */
export class CorpusError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'CorpusError';
    this.file = file;
    this.line = line;
  }
}

export const DEFAULT_CORPUS_DIR = new URL('./corpus/', import.meta.url);

const OPEN = '\u27e6';
const CLOSE = '\u27e7';
const KINDS: ReadonlySet<string> = new Set(GOLD_KINDS);
const TICKET_ID = /^[A-Za-z0-9._:#/-]{1,128}$/;
const COMMENT_ID = /^[A-Za-z0-9._:#/-]{1,128}$/;

/**
 * Strips the annotations from `raw` and returns the clean text with its gold spans.
 * `firstLine` is the file line `raw` starts on, for error messages.
 */
export function parseAnnotated(
  raw: string,
  file = '<inline>',
  firstLine = 1,
): { text: string; gold: GoldSpan[] } {
  const lineAt = (index: number) => {
    let line = firstLine;
    for (let i = 0; i < index; i++) if (raw.charCodeAt(i) === 10) line++;
    return line;
  };
  const gold: GoldSpan[] = [];
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf(OPEN, i);
    const strayClose = raw.indexOf(CLOSE, i);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      throw new CorpusError(file, lineAt(strayClose), `'${CLOSE}' without a matching '${OPEN}'`);
    }
    if (open === -1) {
      text += raw.slice(i);
      break;
    }
    text += raw.slice(i, open);
    const close = raw.indexOf(CLOSE, open + 1);
    const nextOpen = raw.indexOf(OPEN, open + 1);
    if (close === -1) throw new CorpusError(file, lineAt(open), `'${OPEN}' is never closed`);
    if (nextOpen !== -1 && nextOpen < close) {
      throw new CorpusError(
        file,
        lineAt(nextOpen),
        `'${OPEN}' inside an annotation (annotations never nest)`,
      );
    }
    const inner = raw.slice(open + 1, close);
    const bar = inner.indexOf('|');
    if (bar === -1) throw new CorpusError(file, lineAt(open), `annotation has no '|' between kind and value`);
    const kind = inner.slice(0, bar);
    const value = inner.slice(bar + 1);
    if (!KINDS.has(kind)) {
      throw new CorpusError(
        file,
        lineAt(open),
        `unknown annotation kind ${JSON.stringify(kind)} (expected one of ${GOLD_KINDS.join(', ')})`,
      );
    }
    if (value === '') throw new CorpusError(file, lineAt(open), `empty ${kind} annotation`);
    if (/^\s|\s$/u.test(value)) {
      throw new CorpusError(file, lineAt(open), `${kind} annotation value has leading or trailing space`);
    }
    gold.push({ kind: kind as GoldKind, start: text.length, end: text.length + value.length });
    text += value;
    i = close + 1;
  }
  return { text, gold };
}

function parsePerson(value: string, file: string, line: number): { name?: string; email?: string } {
  if (value.includes(OPEN) || value.includes(CLOSE)) {
    throw new CorpusError(file, line, 'reporter and author are structured fields and carry no annotations');
  }
  const angled = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(value);
  if (angled) {
    const name = angled[1]?.trim() ?? '';
    return name === '' ? { email: angled[2] as string } : { name, email: angled[2] as string };
  }
  if (value === '') throw new CorpusError(file, line, 'empty person');
  if (/^[^\s@]+@[^\s@]+$/.test(value)) return { email: value };
  if (value.includes('@') || value.includes('<') || value.includes('>')) {
    throw new CorpusError(file, line, 'person must be "Name <email>", "Name" or an e-mail address');
  }
  return { name: value };
}

interface Section {
  kind: 'description' | 'comment';
  id: string;
  author?: { name?: string; email?: string };
  internal: boolean;
  lines: string[];
  /** File line of `lines[0]`. */
  firstLine: number;
}

interface Draft {
  id: string;
  line: number;
  reporter?: { name?: string; email?: string };
  summary?: { raw: string; line: number };
  description?: Section;
  comments: Section[];
}

function sectionText(section: Section, file: string): { text: string; gold: GoldSpan[] } {
  let from = 0;
  let to = section.lines.length;
  while (from < to && (section.lines[from] ?? '').trim() === '') from++;
  while (to > from && (section.lines[to - 1] ?? '').trim() === '') to--;
  return parseAnnotated(section.lines.slice(from, to).join('\n'), file, section.firstLine + from);
}

function finish(draft: Draft, file: string): EvalTicket {
  if (!draft.summary) throw new CorpusError(file, draft.line, `ticket ${draft.id} has no summary`);
  const summary = parseAnnotated(draft.summary.raw, file, draft.summary.line);
  if (summary.text.trim() === '') throw new CorpusError(file, draft.summary.line, 'empty summary');
  const description = draft.description ? sectionText(draft.description, file) : { text: '', gold: [] };
  const fields: EvalField[] = [
    { path: 'summary', ...summary },
    { path: 'description', ...description },
  ];
  const comments: NonNullable<GenericTicket['comments']> = draft.comments.map((section, index) => {
    const body = sectionText(section, file);
    fields.push({ path: `comments.${index}.body`, ...body });
    return {
      id: section.id,
      ...(section.author ? { author: section.author } : {}),
      body: body.text,
      internal: section.internal,
    };
  });
  const ticket: GenericTicket = {
    tenant: 'eval',
    id: draft.id,
    summary: summary.text,
    description: description.text,
    ...(draft.reporter ? { reporter: draft.reporter } : {}),
    comments,
  };
  return { id: draft.id, file, ticket, fields };
}

/** Parses the text of one corpus file. `file` names it in errors and in {@link EvalTicket.file}. */
export function parseCorpus(source: string, file = '<inline>'): EvalTicket[] {
  const lines = source.split(/\r?\n/);
  const tickets: EvalTicket[] = [];
  const seen = new Map<string, number>();
  let draft: Draft | undefined;
  let section: Section | undefined;

  const close = () => {
    if (draft) tickets.push(finish(draft, file));
    draft = undefined;
    section = undefined;
  };

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.startsWith('===')) {
      close();
      const id = /^=== (.*)$/.exec(line)?.[1]?.trim() ?? '';
      if (!TICKET_ID.test(id)) {
        throw new CorpusError(file, lineNo, `bad ticket line ${JSON.stringify(line)} (expected "=== ID")`);
      }
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        throw new CorpusError(file, lineNo, `duplicate ticket id ${id} (first at line ${earlier})`);
      }
      seen.set(id, lineNo);
      draft = { id, line: lineNo, comments: [] };
      return;
    }
    if (!draft) {
      if (line.trim() === '' || line.startsWith('#')) return;
      throw new CorpusError(file, lineNo, 'text before the first "=== ID" line');
    }
    if (line === '--- description' || line.startsWith('--- description ')) {
      if (line.trim() !== '--- description') {
        throw new CorpusError(file, lineNo, '"--- description" takes no options');
      }
      if (draft.description) throw new CorpusError(file, lineNo, `ticket ${draft.id} has two descriptions`);
      if (draft.comments.length > 0) {
        throw new CorpusError(file, lineNo, 'the description must come before the comments');
      }
      section = { kind: 'description', id: 'description', internal: false, lines: [], firstLine: lineNo + 1 };
      draft.description = section;
      return;
    }
    if (line.startsWith('--- comment')) {
      const [head = '', ...options] = line.slice(4).split('|');
      const id = /^comment\s+(\S+)\s*$/.exec(head)?.[1] ?? '';
      if (!COMMENT_ID.test(id)) {
        throw new CorpusError(
          file,
          lineNo,
          'bad comment line (expected "--- comment ID [| author: …] [| internal]")',
        );
      }
      if (draft.comments.some((c) => c.id === id)) {
        throw new CorpusError(file, lineNo, `duplicate comment id ${id} in ticket ${draft.id}`);
      }
      section = { kind: 'comment', id, internal: false, lines: [], firstLine: lineNo + 1 };
      for (const raw of options) {
        const option = raw.trim();
        if (option === 'internal') section.internal = true;
        else if (option.startsWith('author:'))
          section.author = parsePerson(option.slice(7).trim(), file, lineNo);
        else throw new CorpusError(file, lineNo, `unknown comment option ${JSON.stringify(option)}`);
      }
      draft.comments.push(section);
      return;
    }
    if (section) {
      section.lines.push(line);
      return;
    }
    if (line.trim() === '' || line.startsWith('#')) return;
    const header = /^([a-z]+):(.*)$/.exec(line);
    if (header?.[1] === 'summary') {
      if (draft.summary) throw new CorpusError(file, lineNo, 'duplicate summary');
      draft.summary = { raw: (header[2] ?? '').trim(), line: lineNo };
      return;
    }
    if (header?.[1] === 'reporter') {
      if (draft.reporter) throw new CorpusError(file, lineNo, 'duplicate reporter');
      draft.reporter = parsePerson((header[2] ?? '').trim(), file, lineNo);
      return;
    }
    throw new CorpusError(
      file,
      lineNo,
      `unexpected line in the header of ticket ${draft.id} (expected "summary:", "reporter:" or "--- description")`,
    );
  });
  close();
  return tickets;
}

/** Loads every `*.txt` file in `dir` (default: `test/eval/corpus/`), in file name order. */
export function loadCorpus(dir: URL = DEFAULT_CORPUS_DIR): EvalTicket[] {
  const base = dir.href.endsWith('/') ? dir : new URL(`${dir.href}/`);
  const files = readdirSync(fileURLToPath(base))
    .filter((name) => name.endsWith('.txt'))
    .sort();
  const tickets: EvalTicket[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const source = readFileSync(new URL(name, base), 'utf8');
    for (const ticket of parseCorpus(source, name)) {
      const earlier = seen.get(ticket.id);
      if (earlier !== undefined) {
        const line = source.split(/\r?\n/).findIndex((l) => l.trim() === `=== ${ticket.id}`) + 1;
        throw new CorpusError(name, line, `duplicate ticket id ${ticket.id} (also in ${earlier})`);
      }
      seen.set(ticket.id, name);
      tickets.push(ticket);
    }
  }
  return tickets;
}
