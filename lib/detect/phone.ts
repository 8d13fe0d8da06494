import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Danish phone numbers: eight digits, the first 2-9, in any grouping of pairs (`20 30 40 50`,
 * `2030 4050`, `20304050`), with or without +45. Eight plain digits are also order numbers, CVR
 * numbers, amounts and dates, and a phone number is often written with nothing to announce it
 * (a table cell, a JSON value): recall comes first, so they are taken, except after a word that says
 * they are something else, or when they are a date (20261120). A word that announces a phone
 * number overrides both.
 */
const SEP = '[ \\t.\\-\\u00a0\\u202f]';
const COUNTRY = `(?:(?:\\+|00)45${SEP}?)`;
/**
 * Grouped numbers may not be part of a longer grouping (`konto 20 30 40 50 60`); eight digits in one
 * run only may not touch other digits or letters, so `20304050 30405060` is two numbers. A dot,
 * slash or dash after a letter (`tlf.20304050`) or a slash after a number (`20304050/30405060`) may
 * come before either.
 */
const NUMBER = new RegExp(
  `(?<![\\p{L}\\p{N}_+])(?<!\\d[.,:-])(?:(?<!\\d${SEP})${COUNTRY}?[2-9]\\d(?:${SEP}?\\d\\d){3}(?!${SEP}?\\d|\\p{L})|${COUNTRY}?[2-9]\\d{7}(?![\\p{N}\\p{L}]))`,
  'gu',
);
const COUNTRY_CODE = /^(?:\+|00)45/;
/** Dashes and dots only in pairs, used throughout: `20-30-40-50`; `2019-2021` and `1.250.000` are not numbers to call. */
const PAIRS_WITH = /^[2-9]\d([.-])\d\d\1\d\d\1\d\d$/;
const ANNOUNCED =
  /\b(?:tlf|telefon|telefonnr|telefonnummer|mobil|mobilnr|mob|phone|tel|ring|ringe|sms|fax|direkte|lokal)\b\.?(?:nr\.?|nummer)?[ \t:.]*(?:(?:på|til|nr\.?|no\.?|nummer)[ \t:]*)?$/i;
const NOT_A_PHONE =
  /\b(?:cvr|se|p-nr|pnr|konto|kontonr|reg|regnr|faktura|fakturanr|ordre|ordrenr|ordrenummer|sag|sagsnr|kr|dkk|eur|beløb|ean|journalnr|id|version|kørekort|kørekortnr|pas|pasnr|kunde|kundenr|medarbejdernr|lønnr)\b\.?(?:-?nr\.?|nummer)?[ \t:.#=-]*(?:(?:er|is)[ \t]+)?$/i;

function isDate(digits: string): boolean {
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  const day = Number(digits.slice(6, 8));
  return year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Finds Danish phone numbers. */
export const phoneDetector: Detector = {
  name: 'phone',
  *detect(text: string): Iterable<Span> {
    for (const m of allMatches(NUMBER, text)) {
      const number = m[0];
      const international = COUNTRY_CODE.test(number);
      const local = number.replace(COUNTRY_CODE, '').replace(/^[ \t.\-\u00a0\u202f]/, '');
      const separators = local.replace(/\d/g, '');
      if (/[.-]/.test(separators) && !PAIRS_WITH.test(local) && !international) continue;
      const before = text.slice(Math.max(0, m.index - 30), m.index);
      let confidence = international ? 0.95 : separators === '' ? 0.55 : 0.8;
      if (ANNOUNCED.test(before)) confidence = 0.9;
      else if (!international && (NOT_A_PHONE.test(before) || (separators === '' && isDate(local)))) continue;
      yield { kind: TokenKind.PHONE, start: m.index, end: m.index + number.length, confidence };
    }
  },
};
