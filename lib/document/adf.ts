import { InvalidDocumentError } from '../errors.ts';
import {
  findReplacements,
  type Redact,
  type Replacement,
  redactPersonName,
  redactText,
} from './replacements.ts';

/**
 * Atlassian Document Format, as far as redaction needs to know it. Type aliases, not interfaces:
 * jira.js expects plain record types.
 */
export type AdfMark = { type: string; attrs?: Record<string, unknown> };
export type AdfNode = {
  type: string;
  attrs?: Record<string, unknown>;
  marks?: AdfMark[];
  content?: AdfNode[];
  text?: string;
};
export type AdfDocument = { type: 'doc'; version: 1; content: AdfNode[] };

/** Past these a document is refused: redaction recurses once per level and walks every node. */
export const AdfLimits = { maxDepth: 64, maxNodes: 10_000 } as const;

/** Written where content was left out because the proxy cannot sanitize it (Danish: Jira's readers). */
export const WITHHELD_CONTENT = '[Indhold tilbageholdt]';
const ATTACHMENT_NOTICE = 'Vedhæftet fil tilbageholdt';
export const WITHHELD_ATTACHMENT = `[${ATTACHMENT_NOTICE}]`;

/** Stands for an inline atom in a block's text: detection must not join text across it. */
const ATOM = '\uFFFC';

/** What each container may hold: any block, inline content, or only the listed node types. */
type ContentModel = 'block' | 'inline' | readonly string[];
const CONTENT: Readonly<Record<string, ContentModel>> = {
  doc: 'block',
  blockquote: 'block',
  listItem: 'block',
  panel: 'block',
  tableCell: 'block',
  tableHeader: 'block',
  expand: 'block',
  nestedExpand: 'block',
  layoutColumn: 'block',
  blockTaskItem: 'block',
  paragraph: 'inline',
  heading: 'inline',
  taskItem: 'inline',
  decisionItem: 'inline',
  codeBlock: 'inline',
  bulletList: ['listItem'],
  orderedList: ['listItem'],
  taskList: ['taskItem', 'blockTaskItem', 'taskList'],
  decisionList: ['decisionItem'],
  table: ['tableRow'],
  tableRow: ['tableCell', 'tableHeader'],
  layoutSection: ['layoutColumn'],
};

/** Media point at files in the source site's media store: content the proxy cannot read or sanitize. */
const MEDIA_BLOCKS = new Set(['mediaSingle', 'mediaGroup']);

const BLOCKS = new Set([
  'paragraph',
  'heading',
  'codeBlock',
  'bulletList',
  'orderedList',
  'taskList',
  'decisionList',
  'blockquote',
  'panel',
  'table',
  'expand',
  'nestedExpand',
  'layoutSection',
  'rule',
  'blockCard',
  'embedCard',
  ...MEDIA_BLOCKS,
]);

/** Inline nodes kept as they are, with their attributes redacted. */
const INLINE_ATOMS = new Set(['emoji', 'date', 'status', 'inlineCard', 'placeholder']);

const MARKS = new Set([
  'strong',
  'em',
  'strike',
  'underline',
  'code',
  'subsup',
  'textColor',
  'backgroundColor',
  'link',
  'annotation',
  'border',
  'dataConsumer',
  'fragment',
  'alignment',
  'indentation',
  'breakout',
  'fontSize',
]);

/**
 * Attributes that shape the document (ids, layout, colours, enums) and never hold ticket text. Every
 * other string attribute, at any depth, is redacted: `href`, `title`, `url`, `text`, `alt`, `name`…
 */
const STRUCTURAL_ATTRS = new Set([
  'localId',
  'id',
  'uniqueId',
  'type',
  'level',
  'order',
  'layout',
  'width',
  'widthType',
  'height',
  'panelType',
  'panelIcon',
  'panelIconId',
  'panelColor',
  'language',
  'color',
  'background',
  'colspan',
  'rowspan',
  'colwidth',
  'valign',
  'state',
  'style',
  'timestamp',
  'userType',
  'accessLevel',
  'annotationType',
  'align',
  'mode',
  'size',
  'fontSize',
  'displayMode',
  'isNumberColumnEnabled',
  'wrap',
  'hideLineNumbers',
  'collection',
  'occurrenceKey',
  'sources',
]);

/**
 * Returns a copy of an ADF document with personal data replaced, still valid ADF.
 *
 * Each block's inline content is redacted as one text, so a name or CPR number split by marks is
 * still found; a replacement goes into the first text node it touches, keeping that node's marks.
 * Text-bearing attributes (link `href` and `title`, card `url`, status `text`, expand `title`…) are
 * redacted on their own.
 *
 * Some content is not passed on at all, failing closed:
 * - a mention becomes plain text, `@` and the redacted name ({@link redactPersonName}): it points at an
 *   account of the source site, and a token is not an account on the target;
 * - media (mediaSingle, mediaGroup, mediaInline) become {@link WITHHELD_ATTACHMENT} with the redacted
 *   `alt`: the files are out of the proxy's reach, and an image of a CPR letter is still a CPR number;
 * - node types this module does not know (extensions and types newer than it), and known types
 *   where they cannot be, become {@link WITHHELD_CONTENT}, or are dropped where the schema admits no
 *   paragraph or text (inside a list or table row); marks it does not know are dropped. Their
 *   attributes hold app data whose meaning it cannot tell, so nothing of them is passed on.
 * Properties a node should not have are dropped too.
 *
 * @throws InvalidDocumentError (code INVALID_DOCUMENT) when `doc` is not an ADF document, nests
 *   deeper than {@link AdfLimits.maxDepth} or has more than {@link AdfLimits.maxNodes} nodes. The
 *   message names the path (`content.3.content.0`), never the content.
 * @throws TicketProxyError (code SANITIZE_FAILED) when `redact` answers out of order.
 */
export function redactAdf(doc: unknown, redact: Redact): AdfDocument {
  checkDocument(doc);
  return { type: 'doc', version: 1, content: redactBlocks(doc.content, 'block', redact) };
}

function redactBlocks(nodes: readonly AdfNode[], model: 'block' | readonly string[], redact: Redact) {
  return nodes.flatMap((node) => redactBlock(node, model, redact));
}

function redactBlock(node: AdfNode, allowed: 'block' | readonly string[], redact: Redact): AdfNode[] {
  const fits = allowed === 'block' ? BLOCKS.has(node.type) : allowed.includes(node.type);
  if (!fits) return allowed === 'block' ? [paragraph(WITHHELD_CONTENT)] : [];
  if (MEDIA_BLOCKS.has(node.type)) {
    return withheldMedia(node).flatMap((p) => redactBlock(p, 'block', redact));
  }
  const model = CONTENT[node.type];
  const copy = copyNode(node, redact);
  if (model === undefined || node.content === undefined) return [copy];
  const content =
    model === 'inline' ? redactInline(node.content, redact) : redactBlocks(node.content, model, redact);
  // A list or table whose every child was dropped would be invalid; it goes the way of its children.
  if (content.length === 0 && node.content.length > 0 && model !== 'inline') {
    return allowed === 'block' ? [paragraph(WITHHELD_CONTENT)] : [];
  }
  return [{ ...copy, content }];
}

/** A notice paragraph per file, carrying its `alt`, then the caption as a paragraph of its own. */
function withheldMedia(node: AdfNode): AdfNode[] {
  const children = node.content ?? [];
  const media = children.filter((child) => child.type === 'media');
  const notices = (media.length > 0 ? media : [node]).map((m) => paragraph(withheldAttachment(m)));
  const captions = children
    .filter((child) => child.type === 'caption' && (child.content?.length ?? 0) > 0)
    .map((caption): AdfNode => ({ type: 'paragraph', content: caption.content ?? [] }));
  return [...notices, ...captions];
}

function withheldAttachment(media: AdfNode): string {
  const alt = media.attrs?.alt;
  return typeof alt === 'string' && alt.trim() !== ''
    ? `[${ATTACHMENT_NOTICE}: ${alt}]`
    : WITHHELD_ATTACHMENT;
}

function paragraph(text: string): AdfNode {
  return { type: 'paragraph', content: [{ type: 'text', text }] };
}

/**
 * Redacts one block's inline content as a single text: text nodes as they read, a hard break as a
 * newline, other inline nodes as a boundary. Node boundaries stay where they were; covered text
 * leaves the nodes after the first one it touches, and text nodes left empty are dropped. Inline
 * nodes are never covered: a replacement that touches no text node has nowhere to go and is dropped.
 */
function redactInline(nodes: readonly AdfNode[], redact: Redact): AdfNode[] {
  const parts = nodes.map((node) => inlinePart(node, redact));
  // A mention's text is already redacted on its own: in the block it is a boundary, so that what the
  // block reads does not depend on how the mention came out (both sanitizer passes must read alike).
  const atoms = new Set(parts.filter((_, i) => nodes[i]?.type === 'mention'));
  let text = '';
  const starts = parts.map((part) => {
    const start = text.length;
    text +=
      part.type === 'text' && !atoms.has(part) ? (part.text ?? '') : part.type === 'hardBreak' ? '\n' : ATOM;
    return start;
  });
  const replacements = findReplacements(text, redact);
  // Both are in text order: `next` is the first replacement that can still touch a later node.
  let next = 0;
  let placed = -1;
  return parts.flatMap((part, i): AdfNode[] => {
    if (atoms.has(part)) {
      // A space where a word follows: glued to it, the mention's token would read as part of that word.
      const next = parts[i + 1];
      const glued = next?.type === 'text' && !atoms.has(next) && /^[\p{L}\p{N}]/u.test(next.text ?? '');
      return [glued ? { ...part, text: `${part.text ?? ''} ` } : part];
    }
    if (part.type !== 'text') return [part];
    const start = starts[i] ?? 0;
    const end = start + (part.text ?? '').length;
    while ((replacements[next]?.end ?? Number.POSITIVE_INFINITY) <= start) next++;
    let out = '';
    let position = start;
    for (let r = next; r < replacements.length; r++) {
      const { start: from, end: to, text: replacement } = replacements[r] as Replacement;
      if (from >= end) break;
      out += text.slice(position, Math.max(from, start));
      if (r > placed) out += replacement;
      placed = r;
      position = Math.min(to, end);
    }
    out += text.slice(position, end);
    // ADF forbids empty text nodes.
    return out === '' ? [] : [{ ...part, text: out }];
  });
}

/** An inline node as it takes part in its block: its own attributes redacted, or turned into text. */
function inlinePart(node: AdfNode, redact: Redact): AdfNode {
  switch (node.type) {
    case 'text':
      return { ...copyNode(node, redact), text: node.text ?? '' };
    case 'hardBreak':
      return copyNode(node, redact);
    case 'mention': {
      // A mention points at a real account of the source site; the target gets its name, redacted.
      const name = node.attrs?.text;
      return { type: 'text', text: redactPersonName(typeof name === 'string' ? name : '', redact) };
    }
    case 'mediaInline':
      // As text of the block, so its alt is redacted in context like any text.
      return { type: 'text', text: withheldAttachment(node) };
    default:
      return INLINE_ATOMS.has(node.type) ? copyNode(node, redact) : { type: 'text', text: WITHHELD_CONTENT };
  }
}

/** Type, redacted attributes and known marks: nothing else of a node is carried over. */
function copyNode(node: AdfNode, redact: Redact): AdfNode {
  const copy: AdfNode = { type: node.type };
  if (node.attrs !== undefined) copy.attrs = redactAttrs(node.attrs, redact);
  const marks = (node.marks ?? [])
    .filter((mark) => MARKS.has(mark.type))
    .map(
      (mark): AdfMark =>
        mark.attrs ? { type: mark.type, attrs: redactAttrs(mark.attrs, redact) } : { type: mark.type },
    );
  if (marks.length > 0) copy.marks = marks;
  return copy;
}

function redactAttrs(attrs: Record<string, unknown>, redact: Redact): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attrs).flatMap(([key, value]): [string, unknown][] => {
      if (!STRUCTURAL_ATTRS.has(key)) {
        // Free JSON (card data, extension parameters) can hold personal data in its keys too.
        return [[redactText(key, redact), redactValue(value, redact)]];
      }
      if (isStructural(key, value)) return [[key, value]];
      // A structural name with text that is no identifier (`localId: "Mette.Frederiksen"`) is left
      // out: detection cannot be trusted to see a name written as an identifier.
      return typeof value === 'string' ? [] : [[key, redactValue(value, redact)]];
    }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Lower case (`full-width`, `:warning:`, `javascript`), an upper-case enum (`DONE`) or a colour (`#172B4D`). */
const IDENTIFIER = /^(?:[a-z0-9_:.#/-]{0,128}|[A-Z][A-Z_]{0,31}|#[0-9a-fA-F]{3,8})$/;

/**
 * A structural attribute passes unredacted only when it looks like one: a flag, a number of at most
 * five digits, a UUID (whose digit groups the phone detector would otherwise take) or a short
 * identifier without the digit runs of a CPR or phone number and without the capitals of a name
 * (`Mette.Frederiksen` is not an identifier). Anything else under a structural name is redacted
 * like text.
 */
function isStructural(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  // A CPR or phone number may be stored as a number, even under a structural name.
  if (typeof value === 'number') return !/\d{6}/.test(String(value));
  if (typeof value !== 'string') return false;
  // A date is epoch milliseconds, 12 to 14 digits: never a CPR (10) or phone number (8).
  if (key === 'timestamp') return /^\d{12,14}$/.test(value);
  // Digits separated by dots, dashes or slashes (`05.03.00-2467`, `20-30-40-50`) are one number.
  return UUID.test(value) || (IDENTIFIER.test(value) && !/\d{6}/.test(value.replace(/[.\-/:_#]/g, '')));
}

function redactValue(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redactText(value, redact);
  if (typeof value === 'number') {
    // Card data is free JSON: a CPR or phone number may be stored as a number.
    const redacted = redactText(String(value), redact);
    return redacted === String(value) ? value : redacted;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (isRecord(value)) return redactAttrs(value, redact);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses what is not an ADF document, before any of it is walked by the recursive redaction. */
function checkDocument(doc: unknown): asserts doc is AdfDocument {
  if (!isRecord(doc) || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) {
    throw new InvalidDocumentError('', 'not an ADF document (type doc, version 1 and a content array)');
  }
  let nodes = 0;
  const checkValue = (value: unknown, path: string, depth: number): void => {
    if (depth > AdfLimits.maxDepth) tooDeep(path);
    // Attribute names are not in paths: they come from the ticket.
    if (Array.isArray(value)) for (const item of value) checkValue(item, path, depth + 1);
    else if (isRecord(value)) for (const item of Object.values(value)) checkValue(item, path, depth + 1);
  };
  const checkNode = (node: unknown, path: string, depth: number): void => {
    if (depth > AdfLimits.maxDepth) tooDeep(path);
    if (++nodes > AdfLimits.maxNodes) {
      throw new InvalidDocumentError(path, `more than ${AdfLimits.maxNodes} nodes`);
    }
    if (!isRecord(node) || typeof node.type !== 'string')
      throw new InvalidDocumentError(path, 'not an ADF node');
    if (node.type === 'text' && typeof node.text !== 'string') {
      throw new InvalidDocumentError(path, 'text node without a text string');
    }
    if (node.attrs !== undefined) {
      if (!isRecord(node.attrs)) throw new InvalidDocumentError(`${path}.attrs`, 'not an object');
      checkValue(node.attrs, `${path}.attrs`, depth + 1);
    }
    if (node.marks !== undefined) {
      if (!Array.isArray(node.marks)) throw new InvalidDocumentError(`${path}.marks`, 'not an array');
      for (const [i, mark] of node.marks.entries()) {
        const markPath = `${path}.marks.${i}`;
        if (!isRecord(mark) || typeof mark.type !== 'string')
          throw new InvalidDocumentError(markPath, 'not an ADF mark');
        if (mark.attrs !== undefined && !isRecord(mark.attrs)) {
          throw new InvalidDocumentError(`${markPath}.attrs`, 'not an object');
        }
        checkValue(mark.attrs, `${markPath}.attrs`, depth + 2);
      }
    }
    if (node.content !== undefined) {
      if (!Array.isArray(node.content)) throw new InvalidDocumentError(`${path}.content`, 'not an array');
      for (const [i, child] of node.content.entries()) checkNode(child, `${path}.content.${i}`, depth + 1);
    }
  };
  for (const [i, child] of doc.content.entries()) checkNode(child, `content.${i}`, 1);
}

function tooDeep(path: string): never {
  throw new InvalidDocumentError(path, `nested deeper than ${AdfLimits.maxDepth} levels`);
}
