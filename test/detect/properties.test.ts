import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import { base32 } from '../../lib/pseudonymize/token.ts';
import { CPR_FORMS, randomCpr, seededRandom } from '../support/cpr.ts';

/** What the sanitizer does to a text, with a keyless token in place of the vault's. */
function redact(text: string): string {
  let out = '';
  let at = 0;
  for (const span of detectSpans(text, defaultDetectors)) {
    const digest = createHash('sha256').update(text.slice(span.start, span.end)).digest();
    out += `${text.slice(at, span.start)}${span.kind}_${base32(digest).slice(0, 16)}`;
    at = span.end;
  }
  return out + text.slice(at);
}

const cpr = fc
  .tuple(fc.integer(), fc.boolean())
  .map(([seed, substitute]) => randomCpr(seededRandom(seed), { substitute }));
const form = fc.constantFrom(...Object.values(CPR_FORMS));
/** Any text, but not a digit next to the number: a CPR number is never cut out of a longer digit run. */
const noDigitAt = (at: 'start' | 'end') => (s: string) =>
  !/\d/.test(at === 'start' ? (s[0] ?? '') : (s.at(-1) ?? ''));
const surrounding = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('cpr:', 'CPR-nr.', '?cpr=', '"cpr":"', 'CPR_', 'Borgeren ', '| ', 'X_', '\t', 'ID '),
  // Digit pairs before the number, which a rejected candidate once swallowed it with.
  fc.constantFrom('12 34 ', 'tlf. 20 30 40 50 ', 'ref 31 12 99 ', 'kl 10 45 ', '2026 11 '),
);

describe('detection properties', () => {
  it('leaves no valid CPR number, in any written form, anywhere in any text', () => {
    fc.assert(
      fc.property(
        cpr,
        form,
        surrounding.filter(noDigitAt('end')),
        surrounding.filter(noDigitAt('start')),
        (digits, write, before, after) => {
          const out = redact(`${before}${write(digits)}${after}`);
          expect(out.replace(/\D/g, '')).not.toContain(digits);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 20 }),
      cpr.map((c) => `${c.slice(0, 6)}-${c.slice(6)}`),
      fc.constantFrom(
        'Hej Jens',
        'Mvh\nPer Skov',
        'fru Hansen',
        'jens.hansen@example.dk',
        'tlf. 20 30 40 50',
        'password: Sommer2026!',
        'Bytoften 12, 2750 Ballerup',
        'Holm',
        'skov',
        '. ',
        '\n',
        ' ',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const once = redact(pieces.join(''));
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});
