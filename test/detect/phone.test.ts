import { describe, expect, it } from 'vitest';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import { phoneDetector } from '../../lib/detect/phone.ts';

const found = (text: string) => detectSpans(text, [phoneDetector]).map((s) => text.slice(s.start, s.end));

describe('phone detector', () => {
  it.each([
    ['country code', 'ring +45 20304050', '+45 20304050'],
    ['00 45 and groups', 'tlf 0045 20 30 40 50.', '0045 20 30 40 50'],
    ['country code with dashes', '+45-2030-4050', '+45-2030-4050'],
    ['pairs with spaces', 'Ring 20 30 40 50 i dag', '20 30 40 50'],
    ['pairs with dashes', '20-30-40-50', '20-30-40-50'],
    ['pairs with dots', '20.30.40.50', '20.30.40.50'],
    ['four and four', 'på 2030 4050', '2030 4050'],
    ['after tlf.', 'tlf. 20304050', '20304050'],
    ['after mobil:', 'Mobil: 20304050', '20304050'],
    ['after ring på', 'ring på 20304050', '20304050'],
    ['after telefonnummer', 'telefonnummer 51525354', '51525354'],
    ['alone in a table cell', '|Martin|29651163|', '29651163'],
    ['alone as a JSON value', '{"value":"20304050"}', '20304050'],
    ['a date, when announced', 'tlf. 20261120', '20261120'],
    ['right after an abbreviation', 'tlf.20304050', '20304050'],
    ['after a count', 'Antal: 2 20304050', '20304050'],
    ['with narrow no-break spaces', '+45 20\u202f30\u202f40\u202f50', '+45 20\u202f30\u202f40\u202f50'],
  ])('finds a number with %s', (_case, text, number) => {
    expect(found(text)).toEqual([number]);
  });

  it.each([
    ['an order number', 'ordre 20304050 er afsendt'],
    ['a CVR number', 'CVR 35954716'],
    ['a CVR number with a label', 'CVR-nr.: 35954716'],
    ['an amount', 'beløb kr. 25000000'],
    ['a compact date', 'kørt 20261120 kl 3'],
    ['a year range', 'i perioden 2019-2021'],
    ['a firewall rule', 'regel FW-2026-1140 oprettet'],
    ['an amount with dots', 'budget 2.500.000'],
    ['a number starting with 1', 'tlf 12345678'],
    ['part of a longer grouping', 'konto 20 30 40 50 60'],
    ['part of a longer digit run', 'ref 203040506070'],
    ['an ISO date', '2026-11-20'],
  ])('ignores %s', (_case, text) => {
    expect(found(text)).toEqual([]);
  });

  it('takes two numbers written next to each other', () => {
    expect(found('20304050 30405060')).toEqual(['20304050', '30405060']);
    expect(found('Mobil 20304050/30405060')).toEqual(['20304050', '30405060']);
  });

  it('leaves CPR numbers to the CPR detector', () => {
    const text = 'CPR 010190 1234 og tlf 20304050';
    const spans = detectSpans(text, defaultDetectors).map((s) => [s.kind, text.slice(s.start, s.end)]);
    expect(spans).toEqual([
      ['CPR', '010190 1234'],
      ['PHONE', '20304050'],
    ]);
  });
});
