import { describe, expect, it } from 'vitest';
import { addressDetector } from '../../lib/detect/address.ts';
import { detectSpans } from '../../lib/detect/detect.ts';

const found = (text: string) => detectSpans(text, [addressDetector]).map((s) => text.slice(s.start, s.end));

describe('address detector', () => {
  it.each([
    ['a street and number', 'Borgeren bor på Bytoften 12, 2. th.', ['Bytoften 12, 2. th.']],
    ['street and town', 'Hovedgaden 3B, 2750 Ballerup', ['Hovedgaden 3B', '2750 Ballerup']],
    ['a street of several words', 'flyttet til Gammel Kongevej 10 st. tv.', ['Gammel Kongevej 10 st. tv.']],
    ['a street word standing alone', 'H.C. Andersens Boulevard 27', ['H.C. Andersens Boulevard 27']],
    [
      'a town with a district letter',
      'Adresse: Nørrebrogade 1, 2200 København N',
      ['Nørrebrogade 1', '2200 København N'],
    ],
    ['an announced address', 'adresse: Strøget 4', ['Strøget 4']],
    ['a postcode with DK-', 'DK-8000 Aarhus C', ['DK-8000 Aarhus C']],
    [
      'an address after a year-like postcode',
      'Søndervangen 3, 2030 Ballerup',
      ['Søndervangen 3', '2030 Ballerup'],
    ],
    ['a street that is one street word', 'Lunden 17, 8600 Silkeborg', ['Lunden 17', '8600 Silkeborg']],
    ['a street word after a word', 'Ved Mosen 3B, 2. sal', ['Ved Mosen 3B, 2. sal']],
    ['a door number', 'Lindholm Brygge 31, 5. 3', ['Lindholm Brygge 31, 5. 3']],
    ['a town after a label with a space before its colon', 'Adresse : 2750 Ballerup', ['2750 Ballerup']],
  ])('finds %s', (_case, text, addresses) => {
    expect(found(text)).toEqual(addresses);
  });

  it.each([
    ['a system and a version', 'Nexus 4 virker ikke'],
    ['a year and a month', 'siden 2026 November'],
    ['a year before a word', 'I 2026 Borgeren ringede'],
    ['a year before a capitalized word', 'opdateret i 2025 Nexus'],
    ['a town without a postcode', 'borgeren bor i Ballerup'],
    ['ordinary words that end like streets', 'på vej 12 gange, en have med 3 træer'],
    ['an amount', 'beløbet er 1500 kr'],
    ['a number after another label', 'Session : 4711 Client'],
  ])('leaves %s alone', (_case, text) => {
    expect(found(text)).toEqual([]);
  });
});
