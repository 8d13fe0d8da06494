import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidCpr, passesModulus11 } from '../../lib/detect/cpr.ts';
import { validateTicket } from '../../lib/ticket/generic-ticket.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import {
  CorpusError,
  type EvalTicket,
  GOLD_KINDS,
  type GoldKind,
  loadCorpus,
  parseAnnotated,
  parseCorpus,
} from './corpus.ts';

const tempDir = useTempDirs();

function corpusError(fn: () => unknown): CorpusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CorpusError) return error;
    throw error;
  }
  throw new Error('expected a CorpusError');
}

const spanTexts = (text: string, gold: { kind: GoldKind; start: number; end: number }[]) =>
  gold.map((g) => [g.kind, text.slice(g.start, g.end)]);

describe('parseAnnotated', () => {
  it('strips annotations and gives UTF-16 offsets into the clean text', () => {
    const { text, gold } = parseAnnotated(
      'Hej ⟦NAME|Jens⟧, ring på ⟦PHONE|20 30 40 50⟧ (⟦CPR|010190-1234⟧).',
    );
    expect(text).toBe('Hej Jens, ring på 20 30 40 50 (010190-1234).');
    expect(gold).toEqual([
      { kind: 'NAME', start: 4, end: 8 },
      { kind: 'PHONE', start: 18, end: 29 },
      { kind: 'CPR', start: 31, end: 42 },
    ]);
  });

  it('counts astral characters as two UTF-16 units', () => {
    const { text, gold } = parseAnnotated('👍 ⟦NAME|Åse⟧ og ⟦EMAIL|åse@example.dk⟧');
    expect(gold[0]).toEqual({ kind: 'NAME', start: 3, end: 6 });
    expect(spanTexts(text, gold)).toEqual([
      ['NAME', 'Åse'],
      ['EMAIL', 'åse@example.dk'],
    ]);
  });

  it('allows values that span lines or contain "|"', () => {
    const { text, gold } = parseAnnotated('key:\n⟦SECRET|abc\ndef|ghi⟧\n|⟦NAME|Bo⟧|');
    expect(text).toBe('key:\nabc\ndef|ghi\n|Bo|');
    expect(spanTexts(text, gold)).toEqual([
      ['SECRET', 'abc\ndef|ghi'],
      ['NAME', 'Bo'],
    ]);
  });

  it.each([
    ['unclosed', 'a\nb ⟦NAME|Jens', 2, /never closed/],
    ['stray close', 'a Jens⟧', 1, /without a matching/],
    ['nested', 'x ⟦NAME|Jens ⟦NAME|Hansen⟧⟧', 1, /never nest/],
    ['unknown kind', '\n\n⟦PERSON|Jens⟧', 3, /unknown annotation kind "PERSON"/],
    ['lower-case kind', '⟦name|Jens⟧', 1, /unknown annotation kind "name"/],
    ['no bar', '⟦NAME⟧', 1, /no '\|'/],
    ['empty value', '⟦NAME|⟧', 1, /empty NAME/],
    ['leading space', '⟦NAME| Jens⟧', 1, /leading or trailing space/],
    ['trailing space', '⟦NAME|Jens ⟧', 1, /leading or trailing space/],
    ['trailing newline', '⟦SECRET|abc\n⟧', 1, /leading or trailing space/],
  ])('rejects %s with file and line', (_name, raw, line, message) => {
    const error = corpusError(() => parseAnnotated(raw, 'x.txt', 1));
    expect(error.file).toBe('x.txt');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^x\\.txt:${line}: `));
    expect(error.message).toMatch(message);
  });
});

describe('parseCorpus', () => {
  const source = [
    '# comment before the first ticket',
    '',
    '=== SD-1',
    'reporter: Jens Hansen <jens.hansen@ballerup.dk>',
    'summary: Fejl for ⟦NAME|Karen⟧',
    '--- description',
    '',
    'Hej',
    '',
    'Borgeren ⟦NAME|Karen Sørensen⟧ (⟦CPR|120345-1238⟧).',
    '# not a comment inside a section',
    '',
    '--- comment c1 | author: Mette Larsen <mela@ballerup.dk> | internal',
    'Mvh ⟦NAME|Mette⟧',
    '--- comment c2',
    'Ingen forfatter.',
    '=== SD-2',
    'reporter: borger@example.dk',
    'summary: Kort',
    '--- comment c1 | author: Support',
    '⟦EMAIL|a@b.dk⟧',
    '',
  ].join('\n');

  it('builds generic tickets and per-field gold spans', () => {
    const [first, second, ...rest] = parseCorpus(source, 'inline.txt');
    expect(rest).toEqual([]);
    expect(first?.ticket).toEqual({
      tenant: 'eval',
      id: 'SD-1',
      summary: 'Fejl for Karen',
      description: 'Hej\n\nBorgeren Karen Sørensen (120345-1238).\n# not a comment inside a section',
      reporter: { name: 'Jens Hansen', email: 'jens.hansen@ballerup.dk' },
      comments: [
        {
          id: 'c1',
          author: { name: 'Mette Larsen', email: 'mela@ballerup.dk' },
          body: 'Mvh Mette',
          internal: true,
        },
        { id: 'c2', body: 'Ingen forfatter.', internal: false },
      ],
    });
    expect(first?.file).toBe('inline.txt');
    expect(first?.fields.map((f) => [f.path, spanTexts(f.text, f.gold)])).toEqual([
      ['summary', [['NAME', 'Karen']]],
      [
        'description',
        [
          ['NAME', 'Karen Sørensen'],
          ['CPR', '120345-1238'],
        ],
      ],
      ['comments.0.body', [['NAME', 'Mette']]],
      ['comments.1.body', []],
    ]);
    expect(second?.ticket).toEqual({
      tenant: 'eval',
      id: 'SD-2',
      summary: 'Kort',
      description: '',
      reporter: { email: 'borger@example.dk' },
      comments: [{ id: 'c1', author: { name: 'Support' }, body: 'a@b.dk', internal: false }],
    });
    for (const t of [first, second]) expect(() => validateTicket(t?.ticket)).not.toThrow();
  });

  it('reports the file line of an error inside a section', () => {
    const broken = source.replace('(⟦CPR|120345-1238⟧)', '(⟦CPR|120345-1238)');
    const error = corpusError(() => parseCorpus(broken, 'inline.txt'));
    expect(error.message).toMatch(/^inline\.txt:10: '⟦' is never closed/);
  });

  it.each([
    [
      'a duplicate ticket id',
      '=== A\nsummary: x\n=== A\nsummary: y',
      3,
      /duplicate ticket id A \(first at line 1\)/,
    ],
    ['a missing summary', '=== A\n--- description\ntext', 1, /has no summary/],
    ['an empty summary', '=== A\nsummary: ⟦NAME|⟧', 2, /empty NAME/],
    ['text before the first ticket', 'hello\n=== A\nsummary: x', 1, /before the first/],
    ['a bad ticket line', '=== \nsummary: x', 1, /bad ticket line/],
    ['an unknown header', '=== A\nsummary: x\nstatus: open', 3, /unexpected line in the header/],
    ['an annotated reporter', '=== A\nreporter: ⟦NAME|Jens⟧\nsummary: x', 2, /carry no annotations/],
    ['an unknown comment option', '=== A\nsummary: x\n--- comment c1 | public', 3, /unknown comment option/],
    [
      'a duplicate comment id',
      '=== A\nsummary: x\n--- comment c1\na\n--- comment c1\nb',
      5,
      /duplicate comment id/,
    ],
    ['two descriptions', '=== A\nsummary: x\n--- description\na\n--- description\nb', 5, /two descriptions/],
    [
      'an unknown kind in a comment',
      '=== A\nsummary: x\n--- comment c1\n\nok\n⟦FOO|x⟧',
      6,
      /unknown annotation kind/,
    ],
  ])('rejects %s', (_name, input, line, message) => {
    const error = corpusError(() => parseCorpus(input, 'bad.txt'));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^bad\\.txt:${line}: `));
    expect(error.message).toMatch(message);
  });
});

describe('loadCorpus', () => {
  it('rejects a ticket id used in two files, naming both', async () => {
    const dir = join(await tempDir(), 'corpus');
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), '=== SD-1\nsummary: a\n');
    await writeFile(join(dir, 'b.txt'), '# b\n=== SD-2\nsummary: b\n=== SD-1\nsummary: c\n');
    await writeFile(join(dir, 'notes.md'), 'ignored');
    const error = corpusError(() => loadCorpus(pathToFileURL(dir)));
    expect(error.message).toBe('b.txt:4: duplicate ticket id SD-1 (also in a.txt)');
  });

  it('reads every .txt file in name order', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'b.txt'), '=== B\nsummary: b\n');
    await writeFile(join(dir, 'a.txt'), '=== A\nsummary: a\n');
    expect(loadCorpus(pathToFileURL(`${dir}/`)).map((t) => `${t.file}/${t.id}`)).toEqual([
      'a.txt/A',
      'b.txt/B',
    ]);
  });
});

/** What each corpus must hold at least: the development corpus and the held-out one. */
const CORPORA: [string, URL | undefined, Record<GoldKind, number>][] = [
  ['the evaluation corpus', undefined, { NAME: 500, CPR: 150, EMAIL: 120, PHONE: 120, ADDR: 60, SECRET: 60 }],
  [
    'the held-out corpus',
    new URL('./holdout/', import.meta.url),
    { NAME: 200, CPR: 50, EMAIL: 40, PHONE: 40, ADDR: 25, SECRET: 25 },
  ],
];
const PSEUDONYM_TOKEN = /^[A-Z]{2,10}_[A-Z2-7]{16}$/;

// Only that the corpora are well-formed and large enough; test/eval/targets.test.ts runs the detectors.
describe.each(CORPORA)('%s', (name, dir, minimum) => {
  const corpus: EvalTicket[] = loadCorpus(dir);
  const spans = corpus.flatMap((t) =>
    t.fields.flatMap((f) => f.gold.map((g) => ({ ...g, id: t.id, path: f.path, text: f.text }))),
  );
  const values = (kind: GoldKind) =>
    spans.filter((s) => s.kind === kind).map((s) => ({ id: s.id, value: s.text.slice(s.start, s.end) }));

  it('loads with unique ids from several themed files', () => {
    expect(new Set(corpus.map((t) => t.id)).size).toBe(corpus.length);
    expect(new Set(corpus.map((t) => t.file)).size).toBeGreaterThanOrEqual(6);
  });

  it('holds tickets that pass validateTicket, with fields matching the ticket text', () => {
    for (const { id, ticket, fields } of corpus) {
      expect(() => validateTicket(ticket), id).not.toThrow();
      expect(ticket.tenant).toBe('eval');
      const expected = [
        ['summary', ticket.summary],
        ['description', ticket.description],
        ...(ticket.comments ?? []).map((c, i) => [`comments.${i}.body`, c.body]),
      ];
      expect(
        fields.map((f) => [f.path, f.text]),
        id,
      ).toEqual(expected);
    }
  });

  it('has ordered, non-overlapping spans on word boundaries', () => {
    for (const { id, fields } of corpus) {
      for (const { path, text, gold } of fields) {
        let last = 0;
        for (const g of gold) {
          const where = `${id} ${path} ${g.kind} at ${g.start}`;
          expect(g.start, where).toBeGreaterThanOrEqual(last);
          expect(g.end, where).toBeGreaterThan(g.start);
          expect(g.end, where).toBeLessThanOrEqual(text.length);
          expect(text[g.start - 1] ?? ' ', where).not.toMatch(/[\p{L}\p{N}]/u);
          expect(text[g.end] ?? ' ', where).not.toMatch(/[\p{L}\p{N}]/u);
          last = g.end;
        }
      }
    }
  });

  it('writes CPR numbers in several forms, as 10 digits with an existing, past birth date', () => {
    const cprs = values('CPR');
    const digits = cprs.map(({ value }) => value.replace(/\D/g, ''));
    for (const [i, { id, value }] of cprs.entries()) {
      expect(isValidCpr(digits[i] ?? ''), `${id} ${value}`).toBe(true);
    }
    // Substitute numbers (day + 60), numbers failing modulus 11 and several written forms.
    expect(digits.filter((d) => Number(d.slice(0, 2)) > 60).length).toBeGreaterThanOrEqual(3);
    expect(digits.filter((d) => !passesModulus11(d)).length).toBeGreaterThanOrEqual(3);
    expect(new Set(cprs.map(({ value }) => value.replace(/\d/g, '9'))).size).toBeGreaterThanOrEqual(5);
  });

  it('writes phone numbers as 8 Danish digits and e-mail addresses with an @', () => {
    for (const { id, value } of values('PHONE')) {
      const digits = value.replace(/\D/g, '').replace(/^(?:0045|45)(?=\d{8}$)/, '');
      expect(digits, `${id} ${value}`).toMatch(/^\d{8}$/);
    }
    for (const { id, value } of values('EMAIL'))
      expect(value, id).toMatch(/^[^\s@]+(?:@|%40)[^\s@]+\.[a-z]+$/i);
  });

  it('never annotates pseudonym tokens already in the text', () => {
    for (const { id, value } of spans.map((s) => ({ id: s.id, value: s.text.slice(s.start, s.end) }))) {
      expect(value, id).not.toMatch(PSEUDONYM_TOKEN);
    }
    const tokens = corpus.flatMap((t) =>
      t.fields.flatMap((f) => f.text.match(/\b[A-Z]{2,10}_[A-Z2-7]{16}\b/g) ?? []),
    );
    expect(tokens.length).toBeGreaterThanOrEqual(5);
  });

  it('meets the minimum count per kind', () => {
    const counts = Object.fromEntries(GOLD_KINDS.map((k) => [k, 0])) as Record<GoldKind, number>;
    for (const s of spans) counts[s.kind]++;
    console.log(
      `${name}: ${corpus.length} tickets, ${GOLD_KINDS.map((k) => `${k} ${counts[k]}`).join(', ')}`,
    );
    for (const kind of GOLD_KINDS) expect(counts[kind], kind).toBeGreaterThanOrEqual(minimum[kind]);
  });
});
