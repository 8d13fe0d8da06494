import { describe, expect, it } from 'vitest';
import { cprDetector, cprYear, isValidCpr, passesModulus11 } from '../../lib/detect/cpr.ts';

const found = (text: string) => [...cprDetector.detect(text)].map((s) => text.slice(s.start, s.end));

describe('CPR detector', () => {
  it.each([
    ['hyphen', 'Borger 010190-1234 ringede', '010190-1234'],
    ['no separator', 'Borger 0101901234 ringede', '0101901234'],
    ['space', 'CPR 010190 1234.', '010190 1234'],
    ['dots in the date', 'født 01.01.90-1234', '01.01.90-1234'],
    ['en dash', 'CPR 010190\u20131234', '010190\u20131234'],
    ['non-breaking space', 'CPR 010190\u00a01234', '010190\u00a01234'],
    ['URL parameter', 'https://x.dk/b?cpr=0101901234&y=1', '0101901234'],
    ['JSON', '{"cpr":"0101901234"}', '0101901234'],
    ['JSON number', '{"cpr":0101901234}', '0101901234'],
    ['CSV', 'a;0101901234;b', '0101901234'],
    ['CSV with commas', '0101901234,0202905678', '0101901234'],
    ['table cell', '| 010190-1234 |', '010190-1234'],
    ['log line', '08:15:00 ERROR lookup failed for 0101901234', '0101901234'],
    ['stack trace', 'at Lookup.find(Lookup.java:42) cpr=0101901234', '0101901234'],
    ['glued to a label', 'cpr:0101901234', '0101901234'],
    ['glued to letters', 'CPR-nr.0101901234', '0101901234'],
    ['glued to words', 'borgerid0101901234x', '0101901234'],
    ['spaced hyphen', 'CPR 010190 - 1234', '010190 - 1234'],
    ['spaced en dash (Word)', 'CPR 010190 \u2013 1234', '010190 \u2013 1234'],
    ['em dash', '010190\u20141234', '010190\u20141234'],
    ['hyphens in the date', '01-01-90-1234', '01-01-90-1234'],
    ['slashes in the date', '01/01/90-1234', '01/01/90-1234'],
    ['slash before the serial', '010190/1234', '010190/1234'],
    ['dots throughout', '01.01.90.1234', '01.01.90.1234'],
    ['two spaces', '010190  1234', '010190  1234'],
    ['a tab', '010190\t1234', '010190\t1234'],
    ['a line break', '010190\n1234', '010190\n1234'],
    ['an underscore', 'borger_010190_1234', '010190_1234'],
    ['spaces in the date', 'Cpr: 24 05 65 3942', '24 05 65 3942'],
    ['double spaces in the date', '22  03  67 2345', '22  03  67 2345'],
    ['en dashes in the date', '22\u201303\u201367\u20132345', '22\u201303\u201367\u20132345'],
    ['no-break spaces in the date', '22\u00a003\u00a067 2345', '22\u00a003\u00a067 2345'],
    ['tabs in the date', '22\t03\t67-2345', '22\t03\t67-2345'],
    ['plus signs from a URL', '?cpr=22+03+67+2345', '22+03+67+2345'],
    ['pairs of digits before it', 'tlf. 20 30 40 50 050300-2467', '050300-2467'],
    ['a case number before it', 'Sag 12 34 220367-2345', '220367-2345'],
    ['a date before it', 'ref 31 12 99 220367-2345', '220367-2345'],
  ])('finds a CPR number written with %s', (_form, text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('finds numbers written with a dash and glued together, as adjacent document nodes read', () => {
    expect(found('010190-1234020290-5678')).toEqual(['010190-1234', '020290-5678']);
    expect(found('x 010190-12345678')).toEqual([]);
  });

  it('finds every number in a CSV row', () => {
    expect(found('0101901234,0202905678;030390-4321')).toEqual(['0101901234', '0202905678', '030390-4321']);
  });

  it.each([
    ['inside a longer digit run', '1234567890101901234'],
    ['followed by more digits', '01019012345'],
    ['day 32', '3201901234'],
    ['month 13', '0113901234'],
    ['day 0', '0001901234'],
    ['30 February', '3002901234'],
    ['substitute day past 91', '9201901234'],
    ['a birth date in the future (2050)', '0101505321'],
    ['a phone number', 'ring 20 30 40 50'],
    ['an ISO date', '2026-11-20'],
    ['mixed separators in the date', '01.01-90-1234'],
  ])('ignores %s', (_case, text) => {
    expect(found(text)).toEqual([]);
  });

  it('accepts numbers that fail modulus 11 (issued since 2007), with less confidence', () => {
    expect(passesModulus11('0101901234')).toBe(false);
    const [plain] = [...cprDetector.detect('0101901234')];
    const [mod11] = [...cprDetector.detect('0708611018')];
    expect(passesModulus11('0708611018')).toBe(true);
    expect(plain?.confidence).toBeLessThan(mod11?.confidence ?? 0);
  });

  it('accepts substitute numbers (day + 60)', () => {
    expect(found('6101901234')).toEqual(['6101901234']);
    expect(isValidCpr('9101901234')).toBe(true);
  });

  it.each([
    [90, 0, 1990],
    [90, 3, 1990],
    [10, 4, 2010],
    [37, 4, 1937],
    [57, 5, 2057],
    [58, 5, 1858],
    [20, 8, 2020],
    [36, 9, 2036],
    [37, 9, 1937],
  ])('reads year %i with 7th digit %i as %i', (yy, seventh, year) => {
    expect(cprYear(yy, seventh)).toBe(year);
  });

  it('checks leap years with the century from the 7th digit', () => {
    expect(isValidCpr('2902004123')).toBe(true); // 2000 via digit 4: leap
    expect(isValidCpr('2902001123')).toBe(false); // 1900 via digit 1: not leap
  });
});
