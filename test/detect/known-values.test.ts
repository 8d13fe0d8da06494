import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectSpans } from '../../lib/detect/detect.ts';
import { type KnownValue, knownValuesDetector } from '../../lib/detect/known-values.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';

const found = (t: string, known: KnownValue[]) =>
  detectSpans(t, [knownValuesDetector(known)]).map((s) => t.slice(s.start, s.end));

const name = (value: string): KnownValue => ({ kind: TokenKind.NAME, value });

describe('knownValuesDetector', () => {
  it('finds values known from structured fields: whole, any case and spacing, genitive, capitalized parts', () => {
    expect(
      found('Hej JENS  HANSEN-MØLLER. Jens Hansen-Møllers søn. Mvh Jens. Hilsen Møller. Bo', [
        name('Jens Hansen-Møller'),
        name('B'),
      ]),
    ).toEqual(['JENS  HANSEN-MØLLER', 'Jens Hansen-Møllers', 'Jens', 'Møller']);
  });

  it('finds parts of a name only where they are capitalized, so ordinary words survive', () => {
    expect(found('Per ringede om holm og 2 gange per dag. Holms kontor', [name('Per Holm')])).toEqual([
      'Per',
      'Holms',
    ]);
  });

  it('matches a one-word name as written or in capitals only: a reporter called Hans leaves `hans` alone', () => {
    expect(found('Hans ringede om hans sag. HANS igen', [name('Hans')])).toEqual(['Hans', 'HANS']);
  });

  it('keeps the person of a known name that also names a role, and finds parts in capitals', () => {
    expect(
      found('Faadumo Abdullahi ringede. ABDULLAHI igen, Support svarede', [
        name('Faadumo Abdullahi, Support'),
      ]),
    ).toEqual(['Faadumo Abdullahi', 'ABDULLAHI']);
  });

  it('takes every Danish genitive, and leaves one out where it runs into the next word', () => {
    const text = "Jens Hansens, Jens Hansen' og Jens Hansen’s. JENS HANSEN'S. Jens Hansen'Sag. Jens Hansenx";
    expect(found(text, [name('Jens Hansen')])).toEqual([
      'Jens Hansens',
      "Jens Hansen'",
      'Jens Hansen’s',
      "JENS HANSEN'S",
      'Jens Hansen',
      'Jens', // of `Jens Hansenx`, where the whole name is not bounded but its first part is
    ]);
  });

  it('finds e-mail addresses in any case, never inside a longer word', () => {
    const known: KnownValue[] = [{ kind: TokenKind.EMAIL, value: 'jh@kommune.dk' }];
    expect(found('Skriv til JH@Kommune.DK, ikke xjh@kommune.dk eller jh@kommune.dkx', known)).toEqual([
      'JH@Kommune.DK',
    ]);
  });

  it('compares letters as a case-insensitive regex does, beyond ASCII too', () => {
    // U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU both upper-case to U+039C.
    expect(found('Hilsen \u00b5ller Ørsted og \u03bcLLER ØRSTED', [name('\u039cller Ørsted')])).toEqual([
      '\u00b5ller Ørsted',
      '\u03bcLLER ØRSTED',
    ]);
  });

  it('ignores values too long to be names, which also bounds the cost of matching', () => {
    const long = Array.from({ length: 9 }, (_, i) => `Navn${i}`).join(' ');
    expect(found(long, [name(long)])).toEqual([]);
  });

  const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzæøåé');
  const word = fc
    .array(letter, { minLength: 3, maxLength: 8 })
    .map((ls) => (ls[0] as string).toUpperCase() + ls.slice(1).join(''));
  const space = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2009 ');
  const gap = fc.constantFrom(' ', '. ', ', ', '\n', '(', ': ', '"');
  const filler = fc.array(fc.constantFrom('sag', 'om', 'borgeren', 'NEXUS', '42', 'ok'), { maxLength: 4 });

  it('finds a whole two-word name in any mix of case and spacing, wherever it stands (property)', () => {
    fc.assert(
      fc.property(
        word,
        word,
        space,
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        filler,
        gap,
        gap,
        filler,
        (first, last, between, upper, before, open, close, after) => {
          const cased = [...`${first}${between}${last}`]
            .map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c.toLowerCase()))
            .join('');
          const head = `${before.join(' ')}${open}`;
          const text = `${head}${cased}${close}${after.join(' ')}`;
          const spans = detectSpans(text, [knownValuesDetector([name(`${first} ${last}`)])]);
          expect(spans.some((s) => s.start <= head.length && s.end >= head.length + cased.length)).toBe(true);
        },
      ),
    );
  });

  it('never finds a part of a name written in lower case, where it is an ordinary word (property)', () => {
    fc.assert(
      fc.property(word, word, filler, (first, last, around) => {
        const text = [...around, first.toLowerCase(), 'og', last.toLowerCase(), ...around].join(' ');
        expect(found(text, [name(`${first} ${last}`)])).toEqual([]);
      }),
    );
  });
});
