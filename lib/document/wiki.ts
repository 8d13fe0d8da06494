import {
  applyReplacements,
  findReplacements,
  type Redact,
  type Replacement,
  redactPersonName,
} from './replacements.ts';

/** Stands for markup that separates text (a table cell border, an image, a mention). */
const BOUNDARY = '\uFFFC';

/** Emphasis delimiters: bold, italic, strike, inserted, superscript, subscript, citation. */
const EMPHASIS = ['*', '_', '-', '+', '^', '~', '??'] as const;

/** Bodies are raw text, no markup: people paste logs, and CPR numbers with them, into these. */
const RAW_BLOCK_OPEN = /\{(code|noformat)(?::([^}\n]{0,500}))?\}/gi;
/** Macros this module knows; any other `{word}` is shown as written, so it stays visible text. */
const MACRO = /\{(color|quote|panel|anchor)(?::([^}\n]{0,500}))?\}/iy;
const IMAGE = /!([^\s!|]{1,500})((?:\|[^!\n]{0,500})?)!/y;
const LINE_PREFIX = /[ \t]*(?:h[1-6]\.|bq\.|[*#-]+)[ \t]+/y;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Markup around visible text (emphasis, a link): removed whole when redaction empties it. */
interface Construct {
  start: number;
  end: number;
  /** Where its content lies in the visible text. */
  contentStart: number;
  contentEnd: number;
}

interface Scan {
  /** What a reader sees: markup removed, newlines and boundaries where text is separated. */
  text: string;
  /** The raw offset of each visible character; -1 for newlines and boundaries, which stay as they are. */
  rawAt: readonly number[];
  constructs: readonly Construct[];
  /** Edits of what is redacted on its own: link targets, images, macro parameters, mentions. */
  edits: Replacement[];
}

/**
 * Returns Jira wiki markup with personal data replaced and the markup otherwise as it was.
 *
 * The visible text (markup delimiters removed) is redacted as one text, so `*Jens* Hansen` is read as
 * `Jens Hansen`. A replacement keeps the markup it crosses: its text goes where the span starts and
 * the rest of the span's text is removed, as in ADF (`*Jens* Hansen` becomes `*NAME_…*`), and
 * emphasis or a link left with no text is removed whole. Delimiters are never cut, so the markup
 * parses as before. Table cells, lines, code blocks, images and mentions separate the text.
 *
 * Redacted on their own: link targets (`mailto:`, URLs with `?cpr=`), attachment links, image names
 * and parameters, and macro parameters (`{panel:title=…}`). `{code}` and `{noformat}` bodies are
 * visible text. A mention `[~user]` becomes plain text, `@` and the redacted name
 * ({@link redactPersonName}), like a mention in ADF: a user name always names a person, and the
 * target site's users are not the source's.
 *
 * @throws TicketProxyError (code SANITIZE_FAILED) when `redact` answers out of order.
 */
export function redactWikiMarkup(markup: string, redact: Redact): string {
  const { text, rawAt, constructs, edits } = scanWiki(markup, redact);
  // Per visible character: whether a replacement's text went there or it was removed.
  const fate = new Uint8Array(text.length);
  const REPLACED = 1;
  const REMOVED = 2;
  for (const { start, end, text: replacement } of findReplacements(text, redact)) {
    let placed = false;
    for (let i = start; i < end; ) {
      const rawStart = rawAt[i] ?? -1;
      if (rawStart < 0) {
        i++;
        continue;
      }
      // A run of characters that are adjacent in the markup too: no delimiter inside.
      let j = i + 1;
      while (j < end && rawAt[j] === rawStart + (j - i)) j++;
      edits.push({ start: rawStart, end: rawStart + (j - i), text: placed ? '' : replacement });
      fate.fill(placed ? REMOVED : REPLACED, i, j);
      placed = true;
      i = j;
    }
  }
  for (const c of constructs) {
    const content = fate.subarray(c.contentStart, c.contentEnd);
    if (content.length > 0 && content.every((f) => f === REMOVED)) {
      edits.push({ start: c.start, end: c.end, text: '' });
    }
  }
  return applyReplacements(markup, outermost(edits));
}

/**
 * Sorted edits, without those inside another (an emptied link takes its redacted target with it).
 * Overlapping removals become one: an emptied escape `\9` overlaps the removed run of text after it.
 */
function outermost(edits: Replacement[]): Replacement[] {
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Replacement[] = [];
  for (const edit of edits) {
    const last = kept.at(-1);
    if (last && edit.start < last.end) {
      if (edit.end <= last.end) continue;
      if (edit.text === '' && last.text === '') {
        kept[kept.length - 1] = { ...last, end: edit.end };
        continue;
      }
    }
    // Any other overlap is a bug, which applyReplacements refuses.
    kept.push(edit);
  }
  return kept;
}

function scanWiki(markup: string, redact: Redact): Scan {
  const chars: string[] = [];
  const rawAt: number[] = [];
  const constructs: Construct[] = [];
  const edits: Replacement[] = [];
  const closers = closerPositions(markup);

  const boundary = (char = BOUNDARY) => {
    chars.push(char);
    rawAt.push(-1);
  };
  const show = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const char = markup[i] ?? '';
      if (char === '\n' || char === '\r') boundary('\n');
      else {
        chars.push(char);
        rawAt.push(i);
      }
    }
  };
  const field = (from: number, to: number) => {
    for (const r of findReplacements(markup.slice(from, to), redact)) {
      edits.push({ start: from + r.start, end: from + r.end, text: r.text });
    }
  };
  const wrap = (start: number, end: number, scanContent: () => void) => {
    const contentStart = chars.length;
    scanContent();
    constructs.push({ start, end, contentStart, contentEnd: chars.length });
    return end;
  };
  /** Parameters of `{name:params}` starting at `at`, redacted on their own. */
  const macroParams = (at: number, match: RegExpExecArray) => {
    const [, name = '', params] = match;
    if (params !== undefined) field(at + name.length + 2, at + name.length + 2 + params.length);
  };

  const text = (from: number, to: number) => {
    for (let start = from; ; ) {
      const newline = markup.indexOf('\n', start);
      const end = newline === -1 || newline >= to ? to : newline;
      line(start, end);
      if (end >= to) return;
      boundary('\n');
      start = end + 1;
    }
  };

  const line = (start: number, end: number) => {
    let from = start;
    if (start === 0 || markup[start - 1] === '\n') {
      LINE_PREFIX.lastIndex = start;
      const prefix = LINE_PREFIX.exec(markup);
      if (prefix && LINE_PREFIX.lastIndex <= end) from = LINE_PREFIX.lastIndex;
    }
    if (/^[ \t]*\|/.test(markup.slice(from, Math.min(end, from + 64)))) tableRow(from, end);
    else inline(from, end);
  };

  /** Cells are separate texts; pipes inside links, images and macros do not separate them. */
  const tableRow = (from: number, end: number) => {
    let cell = from;
    for (let i = from; i < end; ) {
      const skip = skipInTable(markup, i, end, closers);
      if (skip > i) {
        i = skip;
      } else if (markup[i] === '|') {
        inline(cell, i);
        boundary();
        i += markup[i + 1] === '|' ? 2 : 1;
        cell = i;
      } else {
        i++;
      }
    }
    inline(cell, end);
  };

  const inline = (from: number, to: number) => {
    for (let i = from; i < to; ) {
      const next = markupAt(i, to);
      if (next > i) {
        i = next;
      } else {
        show(i, i + 1);
        i++;
      }
    }
  };

  /** Parses the markup starting at `i`, if any, and returns where it ends; `i` when there is none. */
  const markupAt = (i: number, to: number): number => {
    switch (markup[i]) {
      case '\\':
        return escaped(i, to);
      case '[':
        return link(i, to);
      case '!':
        return image(i, to);
      case '{':
        return brace(i, to);
      default:
        return emphasis(i, to);
    }
  };

  const escaped = (i: number, to: number) => {
    if (markup[i + 1] === '\\') {
      boundary('\n');
      return i + 2;
    }
    if (i + 1 >= to) return i;
    // A construct, so an escaped character that is removed takes its backslash along, which would
    // otherwise escape whatever comes next.
    return wrap(i, i + 2, () => show(i + 1, i + 2));
  };

  const link = (i: number, to: number) => {
    const close = firstAtOrAfter(closers.bracket, i + 1);
    if (close >= to || close === i + 1) return i;
    const pipe = markup.slice(i + 1, close).indexOf('|');
    const targetStart = pipe === -1 ? i + 1 : i + 2 + pipe;
    if (markup[targetStart] === '~') {
      edits.push({
        start: i,
        end: close + 1,
        // A space where a word follows: glued to it, the token would read as part of that word.
        text:
          redactPersonName(markup.slice(targetStart + 1, close), redact) +
          (/[\p{L}\p{N}]/u.test(markup[close + 1] ?? '') ? ' ' : ''),
      });
      boundary();
      return close + 1;
    }
    if (targetStart === i + 1) {
      field(i + 1, close);
      boundary();
      return close + 1;
    }
    wrap(i, close + 1, () => inline(i + 1, targetStart - 1));
    field(targetStart, close);
    return close + 1;
  };

  const image = (i: number, to: number) => {
    IMAGE.lastIndex = i;
    if (!IMAGE.exec(markup) || IMAGE.lastIndex > to) return i;
    field(i + 1, IMAGE.lastIndex - 1);
    boundary();
    return IMAGE.lastIndex;
  };

  const brace = (i: number, to: number): number => {
    if (markup.startsWith('{{', i)) {
      const close = firstAtOrAfter(closers.monospace, i + 3);
      if (close + 2 <= to) return wrap(i, close + 2, () => inline(i + 2, close));
    }
    for (const delimiter of EMPHASIS) {
      // `{*}…{*}` is emphasis anywhere, also inside a word.
      const braced = `{${delimiter}}`;
      if (!markup.startsWith(braced, i)) continue;
      const close = markup.indexOf(braced, i + braced.length + 1);
      if (close !== -1 && close + braced.length <= to) {
        return wrap(i, close + braced.length, () => inline(i + braced.length, close));
      }
    }
    MACRO.lastIndex = i;
    const macro = MACRO.exec(markup);
    if (!macro || MACRO.lastIndex > to) return i;
    const tagEnd = MACRO.lastIndex;
    macroParams(i, macro);
    const name = (macro[1] ?? '').toLowerCase();
    if (name === 'quote' || name === 'panel') {
      boundary();
      return tagEnd;
    }
    if (name === 'color') {
      const close = firstAtOrAfter(closers.color, tagEnd);
      if (close + '{color}'.length <= to && macro[2] !== undefined) {
        return wrap(i, close + '{color}'.length, () => inline(tagEnd, close));
      }
    }
    // An anchor, or a colour tag whose other half is on another line: only a delimiter.
    return tagEnd;
  };

  const emphasis = (i: number, to: number) => {
    const delimiter = EMPHASIS.find((d) => markup.startsWith(d, i));
    if (delimiter === undefined) return i;
    const before = markup[i - 1] ?? '';
    const after = markup[i + delimiter.length] ?? ' ';
    if (LETTER_OR_DIGIT.test(before) || /\s/.test(after)) return i;
    const close = firstAtOrAfter(closers.emphasis.get(delimiter) ?? [], i + delimiter.length + 1);
    if (close + delimiter.length > to) return i;
    return wrap(i, close + delimiter.length, () => inline(i + delimiter.length, close));
  };

  for (let position = 0; position < markup.length; ) {
    RAW_BLOCK_OPEN.lastIndex = position;
    const open = RAW_BLOCK_OPEN.exec(markup);
    text(position, open ? open.index : markup.length);
    if (!open) break;
    macroParams(open.index, open);
    boundary();
    const bodyStart = RAW_BLOCK_OPEN.lastIndex;
    const closer = new RegExp(`\\{${open[1]}\\}`, 'gi');
    closer.lastIndex = bodyStart;
    const close = closer.exec(markup);
    show(bodyStart, close ? close.index : markup.length);
    boundary();
    position = close ? closer.lastIndex : markup.length;
  }
  return { text: chars.join(''), rawAt, constructs, edits };
}

/** Where delimiters could close, found once: searching per opener would be quadratic on long lines. */
function closerPositions(markup: string) {
  const at = (pattern: RegExp) => Array.from(markup.matchAll(pattern), (m) => m.index);
  const literal = (d: string) => d.replace(/[*+^?]/g, '\\$&');
  return {
    bracket: at(/\]/g),
    monospace: at(/\}\}/g),
    color: at(/\{color\}/gi),
    // A closing delimiter follows a non-space and is not followed by a letter or digit.
    emphasis: new Map(
      EMPHASIS.map((d) => [d, at(new RegExp(`(?<=\\S)${literal(d)}(?![\\p{L}\\p{N}])`, 'gu'))]),
    ),
  };
}

/** The first position in a sorted list at or after `from`; Infinity when there is none. */
function firstAtOrAfter(positions: readonly number[], from: number): number {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((positions[mid] ?? 0) < from) low = mid + 1;
    else high = mid;
  }
  return positions[low] ?? Number.POSITIVE_INFINITY;
}

/** Where a link, image or macro starting at `i` ends, so its pipes are not cell borders. */
function skipInTable(markup: string, i: number, end: number, closers: ReturnType<typeof closerPositions>) {
  const char = markup[i];
  if (char === '\\') return Math.min(i + 2, end);
  if (char === '[') {
    const close = firstAtOrAfter(closers.bracket, i + 1);
    return close < end ? close + 1 : i;
  }
  if (char === '!') {
    IMAGE.lastIndex = i;
    return IMAGE.exec(markup) && IMAGE.lastIndex <= end ? IMAGE.lastIndex : i;
  }
  if (char === '{') {
    MACRO.lastIndex = i;
    return MACRO.exec(markup) && MACRO.lastIndex <= end ? MACRO.lastIndex : i;
  }
  return i;
}
