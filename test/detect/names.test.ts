import { describe, expect, it } from 'vitest';
import { detectSpans } from '../../lib/detect/detect.ts';
import { nameDetector } from '../../lib/detect/names.ts';

const found = (text: string) => detectSpans(text, [nameDetector]).map((s) => text.slice(s.start, s.end));

describe('name detector', () => {
  it.each([
    ['a greeting', 'Hej Jens, tak for svaret', ['Jens']],
    ['an @-mention', '@Jens Thomsen kan du se på det? cc @Mette', ['Jens Thomsen', 'Mette']],
    ['an @-mention of a name that is also a word', 'Spørg @Per Skov', ['Per Skov']],
    ['a mail domain, not a mention', 'skriv til info@Ballerup.dk', []],
    ['a greeting with a full name', 'Kære Fatima Yilmaz', ['Fatima Yilmaz']],
    ['a signature on the next line', 'Tak.\nMvh\nJens Hansen', ['Jens Hansen']],
    ['a signature after a blank line', 'Med venlig hilsen\n\nMette', ['Mette']],
    ['a short closing', 'Vh Birgitte Holm', ['Birgitte Holm']],
    [
      'a greeting with tabs between the names',
      'Hej Zxqa\t\t\t\t\t\t\tQwer-Plok Plok',
      ['Zxqa\t\t\t\t\t\t\tQwer-Plok Plok'],
    ],
    ['a title', 'Jeg har talt med fru Hansen og hr. Olsen', ['Hansen', 'Olsen']],
    ['a known first name and a surname', 'Jens Hansen ringede i går', ['Jens Hansen']],
    ['a double first name', 'Anne Marie Holm har fået ny adgang', ['Anne Marie Holm']],
    ['a name that is also a word', 'Per Skov har ringet', ['Per Skov']],
    ['a hyphenated surname', 'Lise Hansen-Møller skriver', ['Lise Hansen-Møller']],
    ['a possessive', 'Jens Hansens mor og Mette Lunds søn', ['Jens Hansens', 'Mette Lunds']],
    ['an immigrant name', 'Mohammad Ali er flyttet', ['Mohammad Ali']],
    ['a name before a system', 'Mvh Jens Hansen Nexus-support', ['Jens Hansen']],
    ['a surname alone', 'Hansen ringede igen i går', ['Hansen']],
    ['a possessive surname alone', 'Det gælder Hansens søn', ['Hansens']],
    ["a first name's genitive", "Jens' mor har ringet", ["Jens'"]],
    ['a name that is also a word, mid-sentence', 'Jeg har talt med Holm om sagen', ['Holm']],
    ['a surname first, then the first name', 'Fra: Holm, Birgitte', ['Holm', 'Birgitte']],
    ['a first name and an unknown surname', 'Fatima Abdullahi har fået ny tid', ['Fatima Abdullahi']],
    ['a double surname', 'Borgeren Karen Lund Jensen er syg', ['Karen Lund Jensen']],
    ['a lower-case greeting', 'hej jens\ntak for hjælpen\nmvh mette larsen', ['jens', 'mette larsen']],
    [
      'a name seen before, again at the start of a sentence',
      'Per Skov ringede. Skov var vred.',
      ['Per Skov', 'Skov'],
    ],
    ['a name from the dictionary next to another', 'Aasmund Aarøe har ringet', ['Aasmund Aarøe']],
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
    ['names that are words, opening sentences', 'Skov og eng. Holm er en ø. Lund blev plantet.'],
    ['English words that are names', 'Will you check it? It broke in May. Mark the field.'],
    ['Java packages and camel case', 'at dk.nexus.Hansen.find(PatientHansen.java:42)'],
    ['a lower-case greeting to everyone', 'hej alle\nmvh servicedesken'],
  ])('leaves %s alone', (_case, text) => {
    expect(found(text)).toEqual([]);
  });
});
