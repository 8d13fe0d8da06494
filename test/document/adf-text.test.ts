import { describe, expect, it } from 'vitest';
import { type AdfDocument, AdfLimits, type AdfMark, type AdfNode } from '../../lib/document/adf.ts';
import { adfToText } from '../../lib/document/adf-text.ts';
import { ErrorCode, InvalidDocumentError } from '../../lib/errors.ts';
import { assertValidAdf } from '../support/adf-schema.ts';

const doc = (...content: AdfNode[]): AdfDocument => ({ type: 'doc', version: 1, content });
const text = (value: string, ...marks: AdfMark[]): AdfNode =>
  marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const p = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const li = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });
const cell = (value: string, type = 'tableCell'): AdfNode => ({ type, content: [p(text(value))] });
const row = (...cells: AdfNode[]): AdfNode => ({ type: 'tableRow', content: cells });
const link = (href: string) => ({ type: 'link', attrs: { href } });

function failure(fn: () => unknown): InvalidDocumentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidDocumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidDocumentError');
}

describe('adfToText', () => {
  it.each<[string, AdfDocument, string]>([
    [
      'joins text nodes split by marks',
      doc(p(text('Jens', { type: 'strong' }), text(' Hansen'))),
      'Jens Hansen',
    ],
    ['separates paragraphs by a blank line', doc(p(text('Hej')), p(text('Mvh'))), 'Hej\n\nMvh'],
    [
      'reads a hard break as a newline',
      doc(p(text('010190'), { type: 'hardBreak' }, text('1234'))),
      '010190\n1234',
    ],
    [
      'reads a heading as its text',
      doc({ type: 'heading', attrs: { level: 2 }, content: [text('Fejl')] }),
      'Fejl',
    ],
    [
      'puts each bullet on its own line',
      doc({ type: 'bulletList', content: [li(p(text('Nexus'))), li(p(text('Outlook')))] }),
      '- Nexus\n- Outlook',
    ],
    [
      'numbers an ordered list from its order',
      doc({ type: 'orderedList', attrs: { order: 3 }, content: [li(p(text('a'))), li(p(text('b')))] }),
      '3. a\n4. b',
    ],
    [
      'indents a nested list under its item',
      doc({
        type: 'bulletList',
        content: [li(p(text('Borger')), { type: 'bulletList', content: [li(p(text('Jens Hansen')))] })],
      }),
      '- Borger\n  - Jens Hansen',
    ],
    [
      'marks tasks done or not',
      doc({
        type: 'taskList',
        attrs: { localId: 'l1' },
        content: [
          { type: 'taskItem', attrs: { localId: 't1', state: 'DONE' }, content: [text('Nulstil')] },
          { type: 'taskItem', attrs: { localId: 't2', state: 'TODO' }, content: [text('Ring op')] },
        ],
      }),
      '[x] Nulstil\n[ ] Ring op',
    ],
    [
      'keeps words of adjacent table cells apart',
      doc({
        type: 'table',
        content: [
          row(cell('Navn', 'tableHeader'), cell('CPR', 'tableHeader')),
          row(cell('Jens'), cell('010190-1234')),
        ],
      }),
      'Navn | CPR\nJens | 010190-1234',
    ],
    [
      'reads a mention as its text',
      doc(p({ type: 'mention', attrs: { id: 'a1', text: '@Mette Holm' } }, text(' ring'))),
      '@Mette Holm ring',
    ],
    [
      'reads an emoji as its short name, or its text without one',
      doc(
        p(
          { type: 'emoji', attrs: { shortName: ':smile:', text: '😄' } },
          { type: 'emoji', attrs: { shortName: '', text: '👍' } },
        ),
      ),
      ':smile:👍',
    ],
    [
      'reads an inline card as its url',
      doc(
        p(text('Se '), {
          type: 'inlineCard',
          attrs: { url: 'https://nexus.example.dk/borger?cpr=0101901234' },
        }),
      ),
      'Se https://nexus.example.dk/borger?cpr=0101901234',
    ],
    [
      'follows linked text by its address, once per link across marks',
      doc(
        p(
          text('journalen', link('https://x.dk/j?cpr=0101901234')),
          text(' for', link('https://x.dk/j?cpr=0101901234'), { type: 'strong' }),
          text(' Jens'),
        ),
      ),
      'journalen for (https://x.dk/j?cpr=0101901234) Jens',
    ],
    [
      'does not repeat an address the text already shows',
      doc(
        p(
          text('jens@example.dk', link('mailto:jens@example.dk')),
          text(' / '),
          text('https://x.dk', link('https://x.dk')),
        ),
      ),
      'jens@example.dk / https://x.dk',
    ],
    [
      'reads a date as YYYY-MM-DD',
      doc(p(text('Født '), { type: 'date', attrs: { timestamp: '631152000000' } })),
      'Født 1990-01-01',
    ],
    [
      'reads a status as its text',
      doc(p({ type: 'status', attrs: { text: 'Afventer', color: 'blue', localId: 's' } })),
      'Afventer',
    ],
    [
      'keeps a code block as written',
      doc({ type: 'codeBlock', content: [text('cpr=0101901234\nstatus=fejl')] }),
      'cpr=0101901234\nstatus=fejl',
    ],
    [
      'quotes a blockquote',
      doc({ type: 'blockquote', content: [p(text('a')), p(text('b'))] }),
      '> a\n> \n> b',
    ],
    [
      'reads a panel and an expand with its title',
      doc(
        { type: 'panel', attrs: { panelType: 'info' }, content: [p(text('Bemærk'))] },
        { type: 'expand', attrs: { title: 'Log' }, content: [p(text('fejl'))] },
      ),
      'Bemærk\n\nLog\n\nfejl',
    ],
    ['reads a rule as a line', doc(p(text('a')), { type: 'rule' }, p(text('b'))), 'a\n\n---\n\nb'],
    [
      'reads media as its alt text and caption',
      doc({
        type: 'mediaSingle',
        attrs: { layout: 'center' },
        content: [
          {
            type: 'media',
            attrs: { id: 'f1', type: 'file', collection: 'c', alt: 'Skærmbillede Jens Hansen' },
          },
          { type: 'caption', content: [text('Fejlen')] },
        ],
      }),
      'Skærmbillede Jens Hansen\nFejlen',
    ],
    [
      'reads the text of node types it does not know',
      doc({
        type: 'bodiedExtension',
        attrs: { extensionKey: 'k', extensionType: 't' },
        content: [p(text('Jens'))],
      }),
      'Jens',
    ],
    ['leaves out empty paragraphs', doc(p(), p(text('a')), p()), 'a'],
  ])('%s', (_case, input, expected) => {
    assertValidAdf(input);
    expect(adfToText(input)).toBe(expected);
  });

  it('reads a realistic Jira description as a person would', () => {
    const input = doc(
      p(
        text('Borgeren '),
        text('Søren Østergaard', { type: 'strong' }),
        text(' (CPR 120378-1457) kan ikke logge ind.'),
      ),
      p(
        text('Ring på 41 22 37 58'),
        { type: 'hardBreak' },
        text('eller skriv til '),
        text('soren@example.dk', link('mailto:soren@example.dk')),
      ),
      p({ type: 'mention', attrs: { id: 'x', text: '@Jens Thomsen' } }, text(' adgangskode: Forår2026!')),
    );
    assertValidAdf(input);
    expect(adfToText(input)).toBe(
      [
        'Borgeren Søren Østergaard (CPR 120378-1457) kan ikke logge ind.',
        'Ring på 41 22 37 58\neller skriv til soren@example.dk',
        '@Jens Thomsen adgangskode: Forår2026!',
      ].join('\n\n'),
    );
  });

  it.each<[string, unknown, string]>([
    ['a string', 'Jens Hansen', ''],
    ['a document without content', { type: 'doc', version: 1 }, ''],
    ['a node without a type', { type: 'doc', version: 1, content: [{ text: 'x' }] }, 'content.0'],
    [
      'a list item that is not a node',
      doc({ type: 'bulletList', content: ['010190-1234' as unknown as AdfNode] }),
      'content.0.content.0',
    ],
  ])('refuses %s, naming the path and never the content', (_case, input, path) => {
    const error = failure(() => adfToText(input as AdfDocument));
    expect(error.code).toBe(ErrorCode.INVALID_DOCUMENT);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.message).not.toMatch(/Jens|010190/);
  });

  it(`refuses a document nested deeper than ${AdfLimits.maxDepth} levels`, () => {
    let node: AdfNode = p(text('x'));
    for (let i = 0; i < AdfLimits.maxDepth; i++) node = { type: 'blockquote', content: [node] };
    expect(failure(() => adfToText(doc(node))).message).toMatch(/nested deeper than/);
  });

  it(`refuses a document of more than ${AdfLimits.maxNodes} nodes`, () => {
    const many = Array.from({ length: AdfLimits.maxNodes }, () => p(text('x')));
    expect(failure(() => adfToText(doc(...many))).message).toMatch(/more than \d+ nodes/);
  });
});
