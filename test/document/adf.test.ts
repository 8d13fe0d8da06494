import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdfLimits,
  type AdfNode,
  redactAdf,
  WITHHELD_ATTACHMENT,
  WITHHELD_CONTENT,
} from '../../lib/document/adf.ts';
import type { Redact } from '../../lib/document/replacements.ts';
import { ErrorCode, InvalidDocumentError, InvalidTicketError } from '../../lib/errors.ts';
import { assertValidAdf } from '../support/adf-schema.ts';
import { CPR_FORMS, randomCpr, seededRandom } from '../support/cpr.ts';
import { token, tokenRedact, plainWords as words } from '../support/redact.ts';

const CPR = token('CPR');
const NAME = token('NAME');
const EMAIL = token('EMAIL');

const doc = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
const text = (value: string, ...marks: (string | { type: string; attrs?: object })[]) => ({
  type: 'text',
  text: value,
  ...(marks.length > 0 ? { marks: marks.map((m) => (typeof m === 'string' ? { type: m } : m)) } : {}),
});
const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });

/**
 * Redacts a document and checks what holds for every output: it is valid ADF, and redacting it
 * again changes nothing. Inputs are checked too, unless a test feeds invalid ADF on purpose.
 */
function redacted(input: unknown, { validInput = true } = {}): AdfNode[] {
  if (validInput) assertValidAdf(input);
  const out = redactAdf(input, tokenRedact);
  assertValidAdf(out);
  expect(redactAdf(out, tokenRedact)).toEqual(out);
  return out.content;
}

describe('redactAdf: text split across nodes', () => {
  it('finds a name split by a bold mark; the token takes the first node and its marks', () => {
    expect(redacted(doc(paragraph(text('Jens', 'strong'), text(' Hansen ringer igen'))))).toEqual([
      paragraph(text(NAME, 'strong'), text(' ringer igen')),
    ]);
  });

  it('drops text nodes left empty, as ADF forbids them', () => {
    expect(
      redacted(doc(paragraph(text('Kære Jens '), text('Hansen', 'strong', 'em'), text(', tak')))),
    ).toEqual([paragraph(text(`Kære ${NAME}`), text(', tak'))]);
  });

  it('finds a CPR number split by marks over three nodes', () => {
    expect(
      redacted(doc(paragraph(text('CPR: 01'), text('0190', 'em'), text('-1234', 'code'), text(' oplyst')))),
    ).toEqual([paragraph(text(`CPR: ${CPR}`), text(' oplyst'))]);
  });

  it('reads a hard break as a newline: a CPR number broken over two lines is found, the break stays', () => {
    expect(redacted(doc(paragraph(text('010190'), { type: 'hardBreak' }, text('1234 i loggen'))))).toEqual([
      paragraph(text(CPR), { type: 'hardBreak' }, text(' i loggen')),
    ]);
  });

  it('does not join text across an inline node', () => {
    const emoji = { type: 'emoji', attrs: { shortName: ':smile:', id: '1f604', text: '😄' } };
    expect(redacted(doc(paragraph(text('010190'), emoji, text('1234'))))).toEqual([
      paragraph(text('010190'), emoji, text('1234')),
    ]);
  });

  it('leaves a document without personal data as it was', () => {
    const input = doc(
      { type: 'heading', attrs: { level: 2 }, content: [text('Printer virker ikke')] },
      paragraph(
        text('Efter opdatering', 'strong'),
        { type: 'hardBreak' },
        text('kan ', 'em'),
        text('der ikke printes'),
      ),
      { type: 'rule' },
    );
    expect(redacted(input)).toEqual(input.content);
  });
});

describe('redactAdf: attributes', () => {
  it('redacts mailto: links and link titles on their own', () => {
    const marks = [{ type: 'link', attrs: { href: 'mailto:jens@kommune.dk', title: 'Kære Jens Hansen' } }];
    expect(redacted(doc(paragraph({ type: 'text', text: 'skriv', marks })))).toEqual([
      paragraph(text('skriv', { type: 'link', attrs: { href: `mailto:${EMAIL}`, title: `Kære ${NAME}` } })),
    ]);
  });

  it('redacts a CPR number in a card URL', () => {
    const url = (cpr: string) => `https://nexus.example.dk/borger?cpr=${cpr}&view=plan`;
    expect(
      redacted(
        doc(paragraph({ type: 'inlineCard', attrs: { url: url('0101901234') } }), {
          type: 'blockCard',
          attrs: { url: url('010190-1234') },
        }),
      ),
    ).toEqual([
      paragraph({ type: 'inlineCard', attrs: { url: url(CPR) } }),
      { type: 'blockCard', attrs: { url: url(CPR) } },
    ]);
  });

  it('redacts free data of cards at any depth, numbers too, and keeps ids', () => {
    const data = { '@type': 'Document', name: 'Kære Jens Hansen', meta: [{ cpr: 1501901234, pages: 3 }] };
    const [card] = redacted(
      doc({ type: 'blockCard', attrs: { data, localId: '40873035-fcf7-4597-9d83-a7ce6a55a45c' } }),
    );
    expect(card?.attrs).toEqual({
      data: { '@type': 'Document', name: `Kære ${NAME}`, meta: [{ cpr: CPR, pages: 3 }] },
      // Eight digits of an id would pass for a phone number; ids shape the document and are kept.
      localId: '40873035-fcf7-4597-9d83-a7ce6a55a45c',
    });
  });

  it('redacts status, placeholder, expand and nested expand titles, and keeps structural attributes', () => {
    const status = (t: string) => ({ type: 'status', attrs: { text: t, color: 'blue', localId: 'a1' } });
    const input = doc({
      type: 'expand',
      attrs: { title: 'Sag for 010190-1234' },
      content: [
        paragraph(status('Venter på Jens Hansen'), {
          type: 'placeholder',
          attrs: { text: 'cpr 0101901234' },
        }),
        {
          type: 'table',
          attrs: { layout: 'default', isNumberColumnEnabled: false },
          content: [
            {
              type: 'tableRow',
              content: [
                {
                  type: 'tableCell',
                  attrs: { background: '#ffffff', colspan: 1 },
                  content: [
                    { type: 'nestedExpand', attrs: { title: 'Kære Jens Hansen' }, content: [paragraph()] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const [expand] = redacted(input);
    expect(expand?.attrs).toEqual({ title: `Sag for ${CPR}` });
    expect(expand?.content?.[0]).toEqual(
      paragraph(status(`Venter på ${NAME}`), { type: 'placeholder', attrs: { text: `cpr ${CPR}` } }),
    );
    const cell = expand?.content?.[1]?.content?.[0]?.content?.[0];
    expect(cell?.attrs).toEqual({ background: '#ffffff', colspan: 1 });
    expect(cell?.content?.[0]?.attrs).toEqual({ title: `Kære ${NAME}` });
  });
});

describe('redactAdf: mentions and media', () => {
  const mention = (attrs: object) => ({
    type: 'mention',
    attrs: { id: '5b10ac8d82e05b22cc7d4ef5', ...attrs },
  });

  it('turns a mention into text with the redacted name, and drops the account id', () => {
    const out = redacted(
      doc(paragraph(text('Spørg '), mention({ text: '@Jens Hansen' }), text(' i morgen'))),
    );
    expect(out).toEqual([paragraph(text('Spørg '), text(`@${NAME}`), text(' i morgen'))]);
    expect(JSON.stringify(out)).not.toContain('5b10ac8d');
  });

  it('keeps no name of a mention it cannot redact whole', () => {
    expect(redacted(doc(paragraph(mention({ text: '@Xq' }), mention({}))))).toEqual([
      paragraph(text('@bruger'), text('@bruger')),
    ]);
  });

  it('withholds a single image, keeping its redacted alt text and its caption', () => {
    const input = doc({
      type: 'mediaSingle',
      attrs: { layout: 'center' },
      content: [
        { type: 'media', attrs: { type: 'file', id: 'f1', collection: 'c', alt: 'pas for 010190-1234.png' } },
        { type: 'caption', content: [text('Kære Jens '), text('Hansen', 'strong')] },
      ],
    });
    expect(redacted(input)).toEqual([
      paragraph(text(`[Vedhæftet fil tilbageholdt: pas for ${CPR}.png]`)),
      paragraph(text(`Kære ${NAME}`)),
    ]);
  });

  it('withholds every file of a media group, and inline media, with a notice each', () => {
    const media = (alt?: string) => ({
      type: 'media',
      attrs: { type: 'file', id: 'f', collection: 'c', ...(alt ? { alt } : {}) },
    });
    const input = doc(
      { type: 'mediaGroup', content: [media('Jens Hansen.pdf'), media()] },
      paragraph(text('se '), {
        type: 'mediaInline',
        attrs: { id: 'f', collection: 'c', alt: 'Jens Hansen.pdf' },
      }),
    );
    expect(redacted(input)).toEqual([
      paragraph(text(`[Vedhæftet fil tilbageholdt: ${NAME}.pdf]`)),
      paragraph(text(WITHHELD_ATTACHMENT)),
      paragraph(text('se '), text(`[Vedhæftet fil tilbageholdt: ${NAME}.pdf]`)),
    ]);
  });

  it('withholds media inside a list item, where a paragraph may stand', () => {
    const input = doc({
      type: 'bulletList',
      content: [
        {
          type: 'listItem',
          content: [
            paragraph(text('bilag')),
            {
              type: 'mediaSingle',
              attrs: { layout: 'center' },
              content: [
                { type: 'media', attrs: { type: 'external', url: 'https://x.example/0101901234.png' } },
              ],
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(redacted(input))).not.toContain('0101901234');
  });
});

describe('redactAdf: blocks', () => {
  const item = (...content: unknown[]) => ({ type: 'listItem', content });

  it('redacts every cell of a table as its own text', () => {
    const cell = (type: string, value: string) => ({ type, content: [paragraph(text(value))] });
    const input = doc({
      type: 'table',
      content: [
        { type: 'tableRow', content: [cell('tableHeader', 'Navn'), cell('tableHeader', 'CPR')] },
        {
          type: 'tableRow',
          content: [cell('tableCell', 'Kære Jens Hansen'), cell('tableCell', '010190-1234')],
        },
      ],
    });
    const out = JSON.stringify(redacted(input));
    expect(out).toContain(`Kære ${NAME}`);
    expect(out).toContain(`"text":"${CPR}"`);
    expect(out).toContain('"Navn"');
  });

  it('redacts nested lists at every level', () => {
    const input = doc({
      type: 'bulletList',
      content: [
        item(paragraph(text('Borger Jens Hansen')), {
          type: 'orderedList',
          attrs: { order: 3 },
          content: [item(paragraph(text('cpr '), text('0101', 'strong'), text('901234')))],
        }),
      ],
    });
    const [list] = redacted(input);
    expect(list?.content?.[0]?.content?.[0]).toEqual(paragraph(text(`Borger ${NAME}`)));
    expect(list?.content?.[0]?.content?.[1]).toEqual({
      type: 'orderedList',
      attrs: { order: 3 },
      content: [item(paragraph(text('cpr '), text(CPR, 'strong')))],
    });
  });

  it('redacts code blocks, where logs with CPR numbers are pasted, and keeps the language', () => {
    const input = doc({
      type: 'codeBlock',
      attrs: { language: 'text' },
      content: [text('ERROR lookup failed cpr=0101901234\nuser=jens@kommune.dk')],
    });
    expect(redacted(input)).toEqual([
      {
        type: 'codeBlock',
        attrs: { language: 'text' },
        content: [text(`ERROR lookup failed cpr=${CPR}\nuser=${EMAIL}`)],
      },
    ]);
  });
});

describe('redactAdf: unknown content', () => {
  it('replaces unknown and extension nodes by a notice, in blocks and inline, keeping none of their data', () => {
    const input = doc(
      {
        type: 'bodiedExtension',
        attrs: { extensionKey: 'k', extensionType: 't', parameters: { cpr: '0101901234' } },
        content: [paragraph(text('Jens Hansen'))],
      },
      paragraph(text('a '), { type: 'futureInline', attrs: { who: 'jens@kommune.dk' } }),
      { type: 'futureBlock', content: [paragraph(text('010190-1234'))] },
    );
    const out = redacted(input, { validInput: false });
    expect(out).toEqual([
      paragraph(text(WITHHELD_CONTENT)),
      paragraph(text('a '), text(WITHHELD_CONTENT)),
      paragraph(text(WITHHELD_CONTENT)),
    ]);
  });

  it('drops unknown children of a list, and a list left empty becomes a notice', () => {
    const input = doc(
      {
        type: 'bulletList',
        content: [{ type: 'listItem', content: [paragraph(text('ok'))] }, { type: 'futureItem' }],
      },
      { type: 'orderedList', content: [{ type: 'futureItem', attrs: { text: 'Jens Hansen' } }] },
    );
    expect(redacted(input, { validInput: false })).toEqual([
      { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('ok'))] }] },
      paragraph(text(WITHHELD_CONTENT)),
    ]);
  });

  it('drops unknown marks and properties a node should not have', () => {
    const input = doc({
      type: 'paragraph',
      extra: 'jens@kommune.dk',
      content: [
        {
          type: 'text',
          text: 'ok',
          marks: [{ type: 'strong' }, { type: 'futureMark', attrs: { x: 'y' } }],
          note: '0101901234',
        },
      ],
    });
    expect(redacted(input, { validInput: false })).toEqual([paragraph(text('ok', 'strong'))]);
  });
});

describe('redactAdf: attributes', () => {
  it('leaves out a structural attribute whose text is no identifier, and keeps real ones', () => {
    const input = doc(
      {
        type: 'panel',
        attrs: { panelType: 'info', localId: 'Mette.Frederiksen' },
        content: [paragraph(text('x'))],
      },
      { type: 'paragraph', attrs: { localId: 'a1b2c3' }, content: [text('y')] },
    );
    expect(redacted(input)).toEqual([
      { type: 'panel', attrs: { panelType: 'info' }, content: [paragraph(text('x'))] },
      { type: 'paragraph', attrs: { localId: 'a1b2c3' }, content: [text('y')] },
    ]);
  });

  it('redacts a CPR or phone number stored as a number under a structural name, and keeps small numbers', () => {
    const input = doc({
      type: 'paragraph',
      attrs: { text: { id: 1501901234, level: 2 }, order: 22334455, width: 760 },
      content: [text('x')],
    });
    const [out] = redactAdf(input, tokenRedact).content;
    expect(out?.attrs).toEqual({ text: { id: CPR, level: 2 }, order: token('PHONE'), width: 760 });
  });

  it('redacts the keys of free JSON in card data, not only its values', () => {
    const input = doc(
      paragraph({ type: 'inlineCard', attrs: { data: { '@type': 'Document', 'borger 0101901234': 'x' } } }),
    );
    const [card] = (redacted(input, { validInput: false })[0]?.content ?? []) as AdfNode[];
    expect(Object.keys(card?.attrs?.data as object)).toEqual(['@type', `borger ${CPR}`]);
  });
});

describe('redactAdf: refusals', () => {
  const refusal = (input: unknown) => {
    try {
      redactAdf(input, tokenRedact);
    } catch (error) {
      return error;
    }
    throw new Error('accepted');
  };

  it.each([
    ['not an object', 'Jens Hansen'],
    ['another type', { type: 'paragraph', version: 1, content: [] }],
    ['another version', { type: 'doc', version: 2, content: [] }],
    ['no content', { type: 'doc', version: 1 }],
  ])('refuses a document that is %s', (_, input) => {
    const error = refusal(input);
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect(error).toBeInstanceOf(InvalidTicketError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_DOCUMENT, name: 'InvalidDocumentError' });
  });

  it('names the path of a malformed node, never its content', () => {
    const input = doc(paragraph(text('ok')), {
      type: 'bulletList',
      content: [{ type: 'listItem', content: [{ text: 'Jens Hansen 0101901234' }] }],
    });
    const error = refusal(input);
    expect(error).toMatchObject({
      code: ErrorCode.INVALID_DOCUMENT,
      issues: [{ path: 'content.1.content.0.content.0' }],
    });
    expect(String((error as Error).message)).not.toMatch(/Jens|0101/);
  });

  it('names no attribute keys, which come from the ticket', () => {
    const error = refusal(
      doc(
        { type: 'paragraph', attrs: 'x' },
        paragraph({
          type: 'text',
          text: 'a',
          marks: [{ type: 'link', attrs: { 'Jens Hansen': [] } }, 'Jens'],
        }),
      ),
    );
    expect((error as Error).message).toBe('content.0.attrs: not an object');
  });

  it(`refuses nesting deeper than ${AdfLimits.maxDepth} levels, in nodes or in attributes`, () => {
    let nested: unknown = paragraph(text('dybt'));
    for (let i = 0; i < AdfLimits.maxDepth; i++) nested = { type: 'blockquote', content: [nested] };
    expect(refusal(doc(nested))).toMatchObject({
      code: ErrorCode.INVALID_DOCUMENT,
      message: expect.stringContaining('deeper'),
    });

    let value: unknown = 'dybt';
    for (let i = 0; i < AdfLimits.maxDepth; i++) value = { v: value };
    expect(refusal(doc({ type: 'blockCard', attrs: { data: value } }))).toMatchObject({
      code: ErrorCode.INVALID_DOCUMENT,
    });
  });

  it('accepts nesting up to the limit', () => {
    let nested: unknown = paragraph(text('Jens Hansen'));
    for (let i = 2; i < AdfLimits.maxDepth; i++) nested = { type: 'blockquote', content: [nested] };
    expect(JSON.stringify(redactAdf(doc(nested), tokenRedact))).toContain(NAME);
  });

  it(`refuses more than ${AdfLimits.maxNodes} nodes`, () => {
    const input = doc(...Array.from({ length: AdfLimits.maxNodes / 2 + 1 }, () => paragraph(text('x'))));
    expect(refusal(input)).toMatchObject({
      code: ErrorCode.INVALID_DOCUMENT,
      message: expect.stringContaining('nodes'),
    });
  });

  it('fails closed when the redactor answers out of order', () => {
    const broken: Redact = () => [
      { start: 2, end: 4, text: 'X' },
      { start: 0, end: 1, text: 'Y' },
    ];
    expect(() => redactAdf(doc(paragraph(text('010190-1234'))), broken)).toThrow(
      expect.objectContaining({ code: ErrorCode.SANITIZE_FAILED }),
    );
  });
});

describe('redactAdf: property', () => {
  const FORMATTING = [
    { type: 'strong' },
    { type: 'em' },
    { type: 'strike' },
    { type: 'underline' },
    { type: 'textColor', attrs: { color: '#ff0000' } },
    { type: 'link', attrs: { href: 'https://example.dk/sag' } },
  ];
  // `code` only goes with links and annotations.
  const marks = fc.oneof(fc.subarray(FORMATTING), fc.constant([{ type: 'code' }]));
  const textNode = fc
    .tuple(words, marks)
    .map(([t, m]) => ({ type: 'text', text: t, ...(m.length ? { marks: m } : {}) }));
  const inline = fc.array(textNode, { maxLength: 3 });
  const para = inline.map((content) => ({ type: 'paragraph', content }));
  const leaf = fc.oneof(
    para,
    fc
      .tuple(fc.integer({ min: 1, max: 6 }), inline)
      .map(([level, content]) => ({ type: 'heading', attrs: { level }, content })),
  );
  const list: fc.Memo<object> = fc.memo((n) => {
    const nested = n <= 1 ? fc.constant(null) : fc.option(list(n - 1));
    const item = fc
      .tuple(para, nested)
      .map(([first, inner]) => ({ type: 'listItem', content: inner ? [first, inner] : [first] }));
    return fc
      .tuple(fc.constantFrom('bulletList', 'orderedList'), fc.array(item, { minLength: 1, maxLength: 3 }))
      .map(([type, content]) => ({ type, content }));
  });
  const cell = fc
    .tuple(
      fc.constantFrom('tableCell', 'tableHeader'),
      fc.array(fc.oneof(leaf, list(2)), { minLength: 1, maxLength: 2 }),
    )
    .map(([type, content]) => ({ type, content }));
  const table = fc
    .array(fc.array(cell, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
    .map((rows) => ({ type: 'table', content: rows.map((content) => ({ type: 'tableRow', content })) }));
  const block = fc.oneof(leaf, list(3), table);
  const cprWritten = fc
    .tuple(fc.integer(), fc.constantFrom(...Object.values(CPR_FORMS)))
    .map(([seed, form]) => form(randomCpr(seededRandom(seed))));

  /** Every text node's text, in document order. */
  const allText = (node: unknown): string => {
    if (typeof node !== 'object' || node === null) return '';
    const { text: t, content } = node as { text?: string; content?: unknown[] };
    return (t ?? '') + (content ?? []).map(allText).join('');
  };

  it('a CPR number split over two text nodes anywhere is always replaced, the rest kept, and the output is valid ADF', () => {
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        cprWritten,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        marks,
        marks,
        (blocks, cpr, where, at, splitSeed, marksA, marksB) => {
          const input = structuredClone(doc(...blocks)) as { content: object[] };
          const containers: { content: object[] }[] = [];
          const collect = (node: { type?: string; content?: object[] }) => {
            if (node.type === 'paragraph' || node.type === 'heading')
              containers.push(node as { content: object[] });
            for (const child of node.content ?? []) collect(child);
          };
          collect(input);
          const target = containers[where % containers.length];
          if (!target) return;
          const split = 1 + (splitSeed % (cpr.length - 1));
          const planted = [
            { type: 'text', text: `sag ${cpr.slice(0, split)}`, ...(marksA.length ? { marks: marksA } : {}) },
            { type: 'text', text: `${cpr.slice(split)} fra`, ...(marksB.length ? { marks: marksB } : {}) },
          ];
          target.content.splice(at % (target.content.length + 1), 0, ...planted);

          const out = redacted(input);
          expect(allText({ content: out })).toBe(allText(input).replace(cpr, CPR));
        },
      ),
      { numRuns: 300 },
    );
  });

  const TYPES = [
    'paragraph',
    'heading',
    'text',
    'hardBreak',
    'mention',
    'emoji',
    'status',
    'inlineCard',
    'media',
  ];
  const MORE_TYPES = [
    'mediaSingle',
    'mediaGroup',
    'caption',
    'mediaInline',
    'bulletList',
    'listItem',
    'table',
  ];
  const LAST_TYPES = [
    'tableRow',
    'tableCell',
    'codeBlock',
    'expand',
    'panel',
    'taskList',
    'extension',
    'future',
  ];
  const personal = fc.constantFrom('Kære Jens Hansen', '010190-1234', 'jens@kommune.dk', 1501901234);
  const anyNode: fc.Memo<unknown> = fc.memo((n) =>
    fc.record(
      {
        type: fc.constantFrom(...TYPES, ...MORE_TYPES, ...LAST_TYPES),
        text: fc.constantFrom('Kære Jens Hansen', '010190-1234', 'jens@kommune.dk', 'ok'),
        attrs: fc.dictionary(
          fc.constantFrom('text', 'alt', 'url', 'title', 'shortName', 'data', 'parameters'),
          fc.oneof(personal, fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string(), personal)),
        ),
        marks: fc.array(
          fc.record(
            {
              type: fc.constantFrom('strong', 'link', 'code', 'future'),
              attrs: fc.record({ href: personal }),
            },
            { requiredKeys: ['type'] },
          ),
          { maxLength: 2 },
        ),
        content: n <= 1 ? fc.constant([]) : fc.array(anyNode(n - 1), { maxLength: 3 }),
      },
      { requiredKeys: ['type'] },
    ),
  );

  it('any tree of known and unknown nodes is refused as INVALID_DOCUMENT, or redacted to nothing personal', () => {
    fc.assert(
      fc.property(fc.array(anyNode(4), { maxLength: 4 }), (content) => {
        let out: unknown;
        try {
          out = redactAdf(doc(...content), tokenRedact);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidDocumentError);
          return;
        }
        // Other numbers are the generator's own: their digits may spell 010190 by chance.
        const shown = JSON.stringify(out, (_, v) => (typeof v === 'number' && v !== 1501901234 ? 0 : v));
        expect(shown).not.toMatch(/Jens|Hansen|010190|1501901234|jens@/);
        expect(redactAdf(out, tokenRedact)).toEqual(out);
      }),
      { numRuns: 1000 },
    );
  });
});
