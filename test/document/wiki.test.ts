import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Redact } from '../../lib/document/replacements.ts';
import { redactWikiMarkup } from '../../lib/document/wiki.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { CPR_FORMS, randomCpr, seededRandom } from '../support/cpr.ts';
import { token, tokenRedact, plainWords as words } from '../support/redact.ts';

const CPR = token('CPR');
const NAME = token('NAME');
const EMAIL = token('EMAIL');

/** Redacts markup and checks that redacting the output again changes nothing. */
function redacted(markup: string): string {
  const out = redactWikiMarkup(markup, tokenRedact);
  expect(redactWikiMarkup(out, tokenRedact)).toBe(out);
  return out;
}

describe('redactWikiMarkup', () => {
  it.each([
    // Text effects: the token takes the place where the span starts, delimiters stay balanced.
    ['*Jens* Hansen ringer', `*${NAME}* ringer`],
    ['Kære Jens *Hansen*, tak', `Kære ${NAME}, tak`],
    ['Kære _Jens Hansen_', `Kære _${NAME}_`],
    ['CPR 0101{color:red}90-1234{color} oplyst', `CPR ${CPR} oplyst`],
    ['CPR {color:red}0101{color}90-1234', `CPR {color:red}${CPR}{color}`],
    ['CPR 0101{*}901234{*}', `CPR ${CPR}`],
    ['CPR {{010190-1234}}', `CPR {{${CPR}}}`],
    ['cpr -010190-1234- og +0101901234+', `cpr -${CPR}- og +${CPR}+`],
    ['skriv til _jens@kommune.dk_', `skriv til _${EMAIL}_`],
    ['\\*Jens Hansen\\*', `\\*${NAME}\\*`],
    ['*CPR 0101\\901234*', `*CPR ${CPR}*`],
    // Line structure.
    ['h1. Sag om Jens Hansen', `h1. Sag om ${NAME}`],
    [
      '* punkt 010190-1234\n** under 0101901234\n# nr Jens Hansen',
      `* punkt ${CPR}\n** under ${CPR}\n# nr ${NAME}`,
    ],
    ['bq. Kære Jens Hansen', `bq. Kære ${NAME}`],
    ['010190\n1234 i loggen', `${CPR}\n i loggen`],
    ['||Navn||CPR||\n|Jens Hansen|010190-1234|', `||Navn||CPR||\n|${NAME}|${CPR}|`],
    // Cells are separate texts, like ADF's table cells.
    ['|010190|1234|', '|010190|1234|'],
    ['{quote}\nKære Jens Hansen\n{quote}', `{quote}\nKære ${NAME}\n{quote}`],
    [
      '{panel:title=Sag for Jens Hansen|bgColor=#fff}\ncpr 0101901234\n{panel}',
      `{panel:title=Sag for ${NAME}|bgColor=#fff}\ncpr ${CPR}\n{panel}`,
    ],
    // Code and noformat bodies are text; their parameters are redacted on their own.
    [
      '{code:title=log 010190-1234.txt|borderStyle=solid}\nuser=0101901234\n{code}',
      `{code:title=log ${CPR}.txt|borderStyle=solid}\nuser=${CPR}\n{code}`,
    ],
    ['{noformat}\n010190\n1234{noformat}', `{noformat}\n${CPR}\n{noformat}`],
    [
      '{code:java}\nString mail = "jens@kommune.dk"; // *ikke fed*\n{code}',
      `{code:java}\nString mail = "${EMAIL}"; // *ikke fed*\n{code}`,
    ],
    // Links: text as text, target on its own.
    ['[Jens Hansen|mailto:jens@kommune.dk]', `[${NAME}|mailto:${EMAIL}]`],
    ['[mailto:jens@kommune.dk]', `[mailto:${EMAIL}]`],
    [
      'se [sagen|https://nexus.example.dk/borger?cpr=0101901234]',
      `se [sagen|https://nexus.example.dk/borger?cpr=${CPR}]`,
    ],
    ['Kære Jens [Hansen|https://example.dk]', `Kære ${NAME}`],
    ['|[Jens Hansen|mailto:a@b.dk]|ok|', `|[${NAME}|mailto:${EMAIL}]|ok|`],
    ['[^cpr 010190-1234.pdf]', `[^cpr ${CPR}.pdf]`],
    // Images: name and parameters on their own, also in a table cell.
    ['!scan-010190-1234.png|alt=Kære Jens Hansen!', `!scan-${CPR}.png|alt=Kære ${NAME}!`],
    ['|!pas.png|thumbnail!|0101901234|', `|!pas.png|thumbnail!|${CPR}|`],
    // Mentions become text: the name, redacted, or nothing of it.
    ['[~jens.hansen] skrev', `@${NAME} skrev`],
    ['spørg [Jens|~jens.hansen]', `spørg @${NAME}`],
    ['[~accountid:5b10ac8d82e05b22cc7d4ef5] skrev', '@bruger skrev'],
  ])('%j becomes %j', (markup, expected) => {
    expect(redacted(markup)).toBe(expected);
  });

  it.each([
    'h2. Printer virker ikke\n* *fed* og _kursiv_ og -slettet- og +indsat+\n||a||b||\n|c|[link|https://example.dk]|',
    '{code}\nfor (i = 0; i < 10; i++) { x *= 2; }\n{code}\n{color:#ff0000}rød{color} {{mono}} !billede.png!',
    'a -- b --- c ---- 2*3*4 [] [ ] {ukendt} \\\\ ny linje\r\nwindows linje',
  ])('leaves markup without personal data exactly as it was: %j', (markup) => {
    expect(redacted(markup)).toBe(markup);
  });

  it('keeps personal data in unknown macros visible, so it is redacted as text', () => {
    expect(redacted('{ukendt:Jens Hansen}')).toBe(`{ukendt:${NAME}}`);
  });

  it('fails closed when the redactor answers out of order', () => {
    const broken: Redact = () => [
      { start: 2, end: 4, text: 'X' },
      { start: 0, end: 1, text: 'Y' },
    ];
    expect(() => redactWikiMarkup('010190-1234', broken)).toThrow(
      expect.objectContaining({ code: ErrorCode.SANITIZE_FAILED }),
    );
  });

  it('takes linear time on long lines of unclosed markup', () => {
    const markup = '*a [b {color:x} _c {{d !e '.repeat(20_000);
    const started = performance.now();
    redactWikiMarkup(markup, tokenRedact);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('redactWikiMarkup: property', () => {
  /** Markup without personal data around words. */
  const decorated = fc.oneof(
    words,
    words.map((w) => `*${w}*`),
    words.map((w) => `_${w}_`),
    words.map((w) => `{color:red}${w}{color}`),
    words.map((w) => `[${w}|https://example.dk/sag]`),
    fc.constant('!skærm.png|thumbnail!'),
  );
  const cprWritten = fc
    .tuple(fc.integer(), fc.constantFrom(...Object.values(CPR_FORMS)))
    .map(([seed, form]) => form(randomCpr(seededRandom(seed))));

  /**
   * A CPR number written inside markup: split by tags at a given point, or wrapped whole. Each comes
   * with what it must become: the token where the number starts, markup left with no text removed.
   */
  const PLANTS: ((a: string, b: string) => [string, string])[] = [
    (a, b) => [`${a}\\${b}`, CPR],
    (a, b) => [`${a}{color:red}${b}{color}`, CPR],
    (a, b) => [`{color:red}${a}{color}${b}`, `{color:red}${CPR}{color}`],
    (a, b) => [`${a}{*}${b}{*}`, CPR],
    (a, b) => [`{_}${a}{_}${b}`, `{_}${CPR}{_}`],
    (a, b) => [`{{${a}}}${b}`, `{{${CPR}}}`],
    (a, b) => [`${a}{{${b}}}`, CPR],
    (a, b) => [`*${a}${b}*`, `*${CPR}*`],
    (a, b) => [`[${a}${b}|https://example.dk/sag]`, `[${CPR}|https://example.dk/sag]`],
    (a, b) => [`[sag|https://example.dk/?cpr=${a}${b}]`, `[sag|https://example.dk/?cpr=${CPR}]`],
    (a, b) => [`!scan-${a}${b}.png!`, `!scan-${CPR}.png!`],
  ];
  /** Line structure around a line of text. */
  const LINES: ((line: string) => string)[] = [
    (l) => l,
    (l) => `* ${l}`,
    (l) => `## ${l}`,
    (l) => `h3. ${l}`,
    (l) => `bq. ${l}`,
    (l) => `|${l}|sag|`,
    (l) => `||sag||${l}||`,
    (l) => `{quote}\n${l}\n{quote}`,
    (l) => `{panel:title=sag}\n${l}\n{panel}`,
  ];
  const line = fc.tuple(fc.array(decorated, { maxLength: 3 }), fc.constantFrom(...LINES));
  const render = ([parts, shape]: [string[], (l: string) => string], planted = '') =>
    shape([...parts, planted].filter((p) => p !== '').join(' '));

  it('a CPR number split by markup anywhere is always replaced, and the markup around it is kept exactly', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        cprWritten,
        fc.nat(),
        fc.constantFrom(...PLANTS),
        (lines, where, cpr, splitSeed, plant) => {
          const split = 1 + (splitSeed % (cpr.length - 1));
          const [written, expected] = plant(cpr.slice(0, split), cpr.slice(split));
          const target = where % lines.length;
          const markup = lines.map((l, i) => render(l, i === target ? written : '')).join('\n');
          const out = lines.map((l, i) => render(l, i === target ? expected : '')).join('\n');
          expect(redacted(markup)).toBe(out);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a CPR number in a code block is replaced wherever a line breaks it', () => {
    fc.assert(
      fc.property(cprWritten, fc.constantFrom('code', 'code:java', 'noformat'), words, (cpr, tag, before) => {
        const name = tag.split(':')[0];
        const date = cpr.slice(0, -4).replace(/[^\d]+$/, '');
        const markup = `{${tag}}\n${before} ${date}\n${cpr.slice(-4)} ${before}\n{${name}}`;
        expect(redacted(markup)).toBe(`{${tag}}\n${before} ${CPR}\n ${before}\n{${name}}`);
      }),
    );
  });

  const PIECES = ['*', '_', '-', '+', '^', '~', '??', '{{', '}}', '{color:red}', '{color}', '{*}', '{code}'];
  const MORE_PIECES = ['{noformat}', '{quote}', '[', ']', '|', '||', '!', '\\', '\n', ' ', 'h1. ', '* ', 'a'];
  const NAMES = ['Jens', 'Hansen', 'Kære', '[~jens.hansen]', 'x.png', 'mailto:', 'jens@kommune.dk'];
  const soup = fc
    .array(fc.constantFrom(...PIECES, ...MORE_PIECES, ...NAMES), { maxLength: 30 })
    .map((p) => p.join(''));

  it('any markup comes back unchanged when nothing is found, and redacting twice changes nothing', () => {
    fc.assert(
      fc.property(soup, (markup) => {
        // Mentions (`[~user]`, `[text|~user]`) are replaced whether or not anything is found in them.
        if (!markup.includes('[~') && !markup.includes('|~'))
          expect(redactWikiMarkup(markup, () => [])).toBe(markup);
        redacted(markup);
      }),
      { numRuns: 3000 },
    );
  });

  it('a CPR number standing as a word in any markup is always replaced', () => {
    fc.assert(
      fc.property(soup, soup, cprWritten, (before, after, cpr) => {
        const out = redactWikiMarkup(`${before} ${cpr} ${after}`, tokenRedact);
        expect(out.replace(/\D/g, '')).not.toContain(cpr.replace(/\D/g, ''));
      }),
      { numRuns: 3000 },
    );
  });
});
