import { InvalidDocumentError } from '../errors.ts';
import { type AdfDocument, AdfLimits, type AdfNode } from './adf.ts';

/**
 * The plain text a reader of an ADF document sees.
 *
 * Blocks are separated by a blank line, a hard break is a newline, each list item (`- `, `1. `,
 * `[ ] `) and each table row is a line of its own, with cells separated by ` | ` so words of
 * adjacent cells never join. Inline atoms read as they show: a mention as its `text`, an emoji as
 * its `shortName` (or `text`), a status as its `text`, a date as `YYYY-MM-DD`, a card as its `url`.
 * Linked text is followed by its address in brackets, unless it already reads as the address.
 * Media show their `alt` text, if any.
 *
 * Used so detection sees the words the ADF holds, and to turn a developer's Jira comment into the
 * plain text a servicedesk takes.
 *
 * @throws InvalidDocumentError when `doc` is not an ADF document, nests deeper than
 *   {@link AdfLimits.maxDepth} or has more than {@link AdfLimits.maxNodes} nodes. The path is named
 *   (`content.3.content.0`), never the content.
 *
 * @example
 * adfToText({ type: 'doc', version: 1, content: [
 *   { type: 'paragraph', content: [{ type: 'text', text: 'Hej' }, { type: 'hardBreak' }, { type: 'text', text: 'Mvh' }] },
 *   { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }] }] }] },
 * ]}); // 'Hej\nMvh\n\n- a'
 */
export function adfToText(doc: AdfDocument): string {
  // Typed as a document, but it comes from webhooks: every step below checks what it reads.
  const value: unknown = doc;
  if (!isRecord(value) || value.type !== 'doc' || value.version !== 1 || !Array.isArray(value.content)) {
    throw new InvalidDocumentError('', 'not an ADF document (type doc, version 1 and a content array)');
  }
  const walk = new Walk();
  return walk.blocks(value.content, 'content', 1, BLOCK_SEPARATOR);
}

const BLOCK_SEPARATOR = '\n\n';
const LINE_SEPARATOR = '\n';
const CELL_SEPARATOR = ' | ';

/** One conversion: counts nodes, so a document past the limits is refused however it is shaped. */
class Walk {
  #nodes = 0;

  blocks(nodes: readonly unknown[], path: string, depth: number, separator: string): string {
    return nodes
      .map((node, i) => this.block(node, `${path}.${i}`, depth))
      .filter((text) => text !== '')
      .join(separator);
  }

  block(value: unknown, path: string, depth: number): string {
    const node = this.node(value, path, depth);
    const content = children(node);
    const inner = `${path}.content`;
    switch (node.type) {
      case 'paragraph':
      case 'heading':
      case 'codeBlock':
      case 'taskItem':
      case 'decisionItem':
        return this.inline(content, inner, depth + 1);
      case 'bulletList':
        return this.list(content, inner, depth, () => '- ');
      case 'orderedList': {
        const order = node.attrs?.order;
        const start = typeof order === 'number' && Number.isInteger(order) && order >= 0 ? order : 1;
        return this.list(content, inner, depth, (i) => `${start + i}. `);
      }
      case 'decisionList':
        return this.list(content, inner, depth, () => '- ');
      case 'taskList':
        return this.list(content, inner, depth, (_, item) =>
          item.type === 'taskList' ? '' : item.attrs?.state === 'DONE' ? '[x] ' : '[ ] ',
        );
      case 'blockquote':
        return prefixLines(this.blocks(content, inner, depth + 1, BLOCK_SEPARATOR), '> ');
      case 'table':
        return this.table(content, inner, depth);
      case 'rule':
        return '---';
      case 'expand':
      case 'nestedExpand': {
        const title = stringAttr(node, 'title');
        const body = this.blocks(content, inner, depth + 1, BLOCK_SEPARATOR);
        return [title, body].filter((part) => part !== '').join(BLOCK_SEPARATOR);
      }
      case 'mediaSingle':
      case 'mediaGroup':
        return this.media(content, inner, depth);
      case 'blockCard':
      case 'embedCard':
        return stringAttr(node, 'url');
      default:
        // Panels, layouts, bodied extensions and types newer than this module: their text, as blocks
        // when they hold blocks, as one line when they hold inline content.
        if (typeof node.text === 'string') return node.text;
        return content.some((child) => isRecord(child) && INLINE.has(String(child.type)))
          ? this.inline(content, inner, depth + 1)
          : this.blocks(content, inner, depth + 1, BLOCK_SEPARATOR);
    }
  }

  /** Each item a line of its own; an item's further lines and nested lists are indented under it. */
  list(
    items: readonly unknown[],
    path: string,
    depth: number,
    marker: (index: number, item: AdfNode) => string,
  ): string {
    return items
      .map((value, i) => {
        const itemPath = `${path}.${i}`;
        const item = this.node(value, itemPath, depth + 1);
        const text =
          item.type === 'taskItem' || item.type === 'decisionItem'
            ? this.inline(children(item), `${itemPath}.content`, depth + 2)
            : item.type === 'taskList'
              ? this.block(item, itemPath, depth + 1)
              : this.blocks(children(item), `${itemPath}.content`, depth + 2, LINE_SEPARATOR);
        const prefix = marker(i, item);
        return prefix === ''
          ? prefixLines(text, '  ')
          : prefix + indentAfterFirst(text, ' '.repeat(prefix.length));
      })
      .filter((text) => text.trim() !== '')
      .join(LINE_SEPARATOR);
  }

  table(rows: readonly unknown[], path: string, depth: number): string {
    return rows
      .map((value, r) => {
        const rowPath = `${path}.${r}`;
        const row = this.node(value, rowPath, depth + 1);
        return children(row)
          .map((cell, c) => {
            const cellPath = `${rowPath}.content.${c}`;
            const node = this.node(cell, cellPath, depth + 2);
            return this.blocks(children(node), `${cellPath}.content`, depth + 3, LINE_SEPARATOR);
          })
          .join(CELL_SEPARATOR);
      })
      .filter((line) => line.replaceAll(CELL_SEPARATOR, '').trim() !== '')
      .join(LINE_SEPARATOR);
  }

  media(content: readonly unknown[], path: string, depth: number): string {
    return content
      .map((value, i) => {
        const node = this.node(value, `${path}.${i}`, depth + 1);
        if (node.type === 'caption') return this.inline(children(node), `${path}.${i}.content`, depth + 2);
        return stringAttr(node, 'alt');
      })
      .filter((text) => text !== '')
      .join(LINE_SEPARATOR);
  }

  /** A block's inline content as one line of text; a link's address follows the text it covers. */
  inline(nodes: readonly unknown[], path: string, depth: number): string {
    let out = '';
    let link: { href: string; text: string } | undefined;
    const closeLink = () => {
      if (link !== undefined && !readsAsAddress(link.text, link.href)) out += ` (${link.href})`;
      link = undefined;
    };
    for (const [i, value] of nodes.entries()) {
      const node = this.node(value, `${path}.${i}`, depth);
      const href = node.type === 'text' ? linkHref(node) : undefined;
      if (link !== undefined && href !== link.href) closeLink();
      const text = this.inlineNode(node, `${path}.${i}`, depth);
      if (href !== undefined) {
        link ??= { href, text: '' };
        link.text += text;
      }
      out += text;
    }
    closeLink();
    return out;
  }

  inlineNode(node: AdfNode, path: string, depth: number): string {
    switch (node.type) {
      case 'text':
        return typeof node.text === 'string' ? node.text : '';
      case 'hardBreak':
        return '\n';
      case 'mention':
      case 'status':
        return stringAttr(node, 'text');
      case 'emoji':
        return stringAttr(node, 'shortName') || stringAttr(node, 'text');
      case 'inlineCard':
        return stringAttr(node, 'url');
      case 'date':
        return dateText(node.attrs?.timestamp);
      case 'mediaInline':
        return stringAttr(node, 'alt');
      case 'placeholder':
        // Editor hint text, shown only in an empty editor.
        return '';
      default:
        if (typeof node.text === 'string') return node.text;
        return this.inline(children(node), `${path}.content`, depth + 1);
    }
  }

  /** Counts a node and checks it is one; the depth and node limits are enforced here. */
  node(value: unknown, path: string, depth: number): AdfNode {
    if (depth > AdfLimits.maxDepth) {
      throw new InvalidDocumentError(path, `nested deeper than ${AdfLimits.maxDepth} levels`);
    }
    if (++this.#nodes > AdfLimits.maxNodes) {
      throw new InvalidDocumentError(path, `more than ${AdfLimits.maxNodes} nodes`);
    }
    if (!isRecord(value) || typeof value.type !== 'string') {
      throw new InvalidDocumentError(path, 'not an ADF node');
    }
    return value as AdfNode;
  }
}

/** Inline node types: a container holding one of these holds a line of text, not blocks. */
const INLINE = new Set([
  'text',
  'hardBreak',
  'mention',
  'emoji',
  'date',
  'status',
  'inlineCard',
  'placeholder',
  'mediaInline',
]);

function children(node: AdfNode): readonly unknown[] {
  return Array.isArray(node.content) ? node.content : [];
}

function stringAttr(node: AdfNode, name: string): string {
  const value = isRecord(node.attrs) ? node.attrs[name] : undefined;
  return typeof value === 'string' ? value : '';
}

function linkHref(node: AdfNode): string | undefined {
  if (!Array.isArray(node.marks)) return undefined;
  for (const mark of node.marks as unknown[]) {
    if (
      isRecord(mark) &&
      mark.type === 'link' &&
      isRecord(mark.attrs) &&
      typeof mark.attrs.href === 'string'
    ) {
      return mark.attrs.href === '' ? undefined : mark.attrs.href;
    }
  }
  return undefined;
}

/** `jens@example.dk` linked to `mailto:jens@example.dk` already shows its address. */
function readsAsAddress(text: string, href: string): boolean {
  const shown = text.trim();
  return shown === href || `mailto:${shown}` === href;
}

/** ADF dates are UTC midnight, in milliseconds since the epoch, written as a string. */
function dateText(timestamp: unknown): string {
  const ms =
    typeof timestamp === 'number'
      ? timestamp
      : typeof timestamp === 'string' && /^-?\d{1,15}$/.test(timestamp)
        ? Number(timestamp)
        : Number.NaN;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10);
}

function prefixLines(text: string, prefix: string): string {
  return text === '' ? '' : text.replace(/^/gm, prefix);
}

function indentAfterFirst(text: string, indent: string): string {
  return text.replace(/\n(?=.)/g, `\n${indent}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
