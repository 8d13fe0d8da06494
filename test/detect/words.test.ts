import { describe, expect, it } from 'vitest';
import { Shape, scanWordTable } from '../../lib/detect/words.ts';

function shapes(text: string): string[][] {
  const words = scanWordTable(text);
  return Array.from({ length: words.count }, (_, k) => [
    text.slice(words.start[k], words.end[k]),
    words.shape[k] === Shape.Capitalized ? 'C' : words.shape[k] === Shape.Lower ? 'l' : '-',
  ]);
}

describe('scanWordTable', () => {
  it('tells capitalized, lower-case and other words apart', () => {
    expect(shapes('Jens Hansen-Møller bor i København, iPhone NEXUS x2')).toEqual([
      ['Jens', 'C'],
      ['Hansen-Møller', 'C'],
      ['bor', 'l'],
      ['i', '-'],
      ['København', 'C'],
      ['iPhone', '-'],
      ['NEXUS', '-'],
      ['x2', '-'],
    ]);
  });

  it('keeps a genitive apostrophe with its word, also at the end of the text', () => {
    expect(shapes("Jens' mor og Hansen’s søn. Aa'")).toEqual([
      ["Jens'", 'C'],
      ['mor', 'l'],
      ['og', 'l'],
      ['Hansen’s', 'C'],
      ['søn', 'l'],
      ["Aa'", 'C'],
    ]);
  });

  it('does not take words that are parts of something else', () => {
    expect(shapes('dk.nexus.Lookup a@Bcd Nexus-support')).toEqual([
      ['dk', 'l'],
      ['nexus', '-'],
      ['Lookup', '-'],
      ['a', '-'],
      ['Bcd', '-'],
      ['Nexus', 'C'],
      ['support', '-'],
    ]);
  });
});
