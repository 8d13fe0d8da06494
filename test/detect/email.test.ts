import { describe, expect, it } from 'vitest';
import { emailDetector } from '../../lib/detect/email.ts';

const found = (text: string) => [...emailDetector.detect(text)].map((s) => text.slice(s.start, s.end));

describe('e-mail detector', () => {
  it.each([
    ['jens.hansen@example.dk', 'skriv til jens.hansen@example.dk.'],
    ['søren@kommune.dk', '<søren@kommune.dk>'],
    ['a+b@x.example.com', 'mailto:a+b@x.example.com'],
    ['first_last-99@sub.domain.eu', '"email":"first_last-99@sub.domain.eu"'],
    ["o'brien@example.ie", "fra o'brien@example.ie i går"],
    ['rene\u0301@example.dk', 'fra rene\u0301@example.dk (NFD)'],
    ['jens@a\u030arhus.dk', 'skriv jens@a\u030arhus.dk'],
    ['jens.hansen%40example.dk', '?email=jens.hansen%40example.dk&x=1'],
    ['jens@example.dk', 'jens@example.dk-support'],
    ['jens@example.dk', 'jens@example.dk2'],
    ['METTE_FREDERIKSEN@FT.DK', 'til METTE_FREDERIKSEN@FT.DK.'],
    ['a#b$c*d@example.dk', 'a#b$c*d@example.dk'],
  ])('finds %s', (address, text) => {
    expect(found(text)).toEqual([address]);
  });

  it('reads a long run of encoded at signs in linear time', () => {
    // Walking back over the whole run for every `%40` once made this quadratic (43 s for 100 KB).
    expect(found('a%40'.repeat(50_000))).toEqual([]);
  });

  it('splits addresses in a list without spaces', () => {
    expect(found('jens@example.dk;mette@example.dk,ole@example.dk')).toEqual([
      'jens@example.dk',
      'mette@example.dk',
      'ole@example.dk',
    ]);
  });

  it.each([['user@localhost'], ['@example.dk'], ['hansen@'], ['version 1.2@3.4'], ['a@b.c']])(
    'ignores %s',
    (text) => {
      expect(found(text)).toEqual([]);
    },
  );
});
