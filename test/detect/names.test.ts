import { describe, expect, it } from 'vitest';
import { detectSpans } from '../../lib/detect/detect.ts';
import { nameDetector } from '../../lib/detect/names.ts';

const found = (text: string) => detectSpans(text, [nameDetector]).map((s) => text.slice(s.start, s.end));

describe('name detector', () => {
  it.each([
    ['a greeting', 'Hej Jens, tak for svaret', ['Jens']],
    ['a greeting with a full name', 'Kære Fatima Yilmaz', ['Fatima Yilmaz']],
    ['a signature on the next line', 'Tak.\nMvh\nJens Hansen', ['Jens Hansen']],
    ['a signature after a blank line', 'Med venlig hilsen\n\nMette', ['Mette']],
    ['a title', 'Jeg har talt med fru Hansen og hr. Olsen', ['Hansen', 'Olsen']],
    ['a known first name and a surname', 'Jens Hansen ringede i går', ['Jens Hansen']],
    ['a double first name', 'Anne Marie Holm har fået ny adgang', ['Anne Marie Holm']],
    ['a name that is also a word', 'Per Skov har ringet', ['Per Skov']],
    ['a hyphenated surname', 'Lise Hansen-Møller skriver', ['Lise Hansen-Møller']],
    ['a possessive', 'Jens Hansens mor og Mette Lunds søn', ['Jens Hansens', 'Mette Lunds']],
    ['an immigrant name', 'Mohammad Ali er flyttet', ['Mohammad Ali']],
    ['a name before a system', 'Mvh Jens Hansen Nexus-support', ['Jens Hansen']],
  ])('finds %s', (_case, text, names) => {
    expect(found(text)).toEqual(names);
  });

  it.each([
    ['ordinary words', 'borgeren bor ved skov og holm, to gange per dag'],
    ['a first name that is a pronoun', 'Hans computer virker ikke'],
    ['an organization in a signature', 'Mvh\nBallerup Kommune'],
    ['a team in a signature', 'Venlig hilsen\nServicedesk'],
    ['greeting everyone', 'Hej alle, Hej Borger'],
    ['weekdays and systems', 'Borgeren ringede Mandag om Nexus'],
    ['a lone first name without context', 'Per har ringet'],
  ])('leaves %s alone', (_case, text) => {
    expect(found(text)).toEqual([]);
  });
});
