import { TokenKind } from '../pseudonymize/token.ts';
import { isNameWord, neverAName } from './names.ts';
import type { Detector, Span } from './span.ts';

export interface KnownValue {
  kind: TokenKind;
  value: string;
}

/** Longer "names" are not names; capping them also bounds the cost of matching. */
const MAX_WORDS = 8;
const MAX_LENGTH = 120;
/** A part of a known name is looked for on its own from this many letters, capitalized only. */
const MIN_PART_LENGTH = 3;

// Danish has no casing rules of its own, so this is `toLocaleUpperCase('da')`, without the locale's cost.
const upper = (word: string) => word.toUpperCase();
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regex for many alternatives, longest first; a Danish genitive still counts. It is built per
 * ticket, so it stays free of Unicode property classes, whose compilation cost more than the
 * matching: word boundaries are checked by {@link bounded} instead.
 */
function alternation(alternatives: Iterable<string>, flags: string): RegExp | undefined {
  const sorted = [...new Set(alternatives)].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return undefined;
  return new RegExp(`(?:${sorted.join('|')})(?:s|['\u2019]s?)?`, flags);
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

/** Matches of `pattern` that neither start nor end inside a word. */
function* bounded(pattern: RegExp, text: string): Iterable<[number, number]> {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const end = m.index + m[0].length;
    if (WORD_CHAR.test(text[m.index - 1] ?? '') || WORD_CHAR.test(text[end] ?? '')) {
      // The genitive may have run into the next word (`Jens skriver`): try without it.
      const bare = m[0].replace(/(?:s|['\u2019]s?)$/, '');
      if (
        bare !== m[0] &&
        !WORD_CHAR.test(text[m.index - 1] ?? '') &&
        !WORD_CHAR.test(text[m.index + bare.length] ?? '')
      ) {
        yield [m.index, m.index + bare.length];
      }
      pattern.lastIndex = m.index + 1;
      continue;
    }
    yield [m.index, end];
  }
}

/**
 * Finds mentions of values a ticket's structured fields already name (the reporter's name, a comment
 * author's e-mail), wherever the free text repeats them: whole, in any case and spacing, in the
 * genitive (`Hansens`, `Jens'`), and, for names, each part of three letters or more written with a
 * capital (`Mvh Jens`), so that `Per Holm` is found but `per dag` and `holm` are not.
 */
/**
 * The person in a name field that also names a role or an organization: `Zxqa Wobbleton, Support`
 * is Zxqa Wobbleton, `Joanna Kowalczyk Sensum Application Support` is Joanna Kowalczyk, and
 * `Nexus Support` is nobody. The words before the first that is never a name, of which the first two
 * and any the gazetteer knows as names.
 */
function personOf(words: string[]): string[] {
  const bare = words.map((w) => w.replace(/[,;:()]+$|^[(]+/g, '')).filter((w) => w !== '');
  const stop = bare.findIndex(neverAName);
  if (stop === -1) return bare;
  const person = bare.slice(0, stop).filter((w, i) => i < 2 || isNameWord(w));
  // `Sensum Support`, `KMD Support`: one unknown word before a role is the organization.
  return person.length >= 2 || person.every(isNameWord) ? person : [];
}

export function knownValuesDetector(known: readonly KnownValue[]): Detector {
  const wholes = new Map<TokenKind, string[]>();
  // One-word names are matched as written: a reporter called Hans does not make every `hans` a name.
  const exactNames: string[] = [];
  const parts: string[] = [];
  for (const { kind, value } of known) {
    let words = value.normalize('NFKC').trim().split(/\s+/).filter(Boolean);
    if (kind === TokenKind.NAME) words = personOf(words);
    if (words.join('').length < 2 || words.length > MAX_WORDS || value.length > MAX_LENGTH) continue;
    const pattern = words.map(escapeRegExp).join('\\s+');
    if (kind === TokenKind.NAME && words.length === 1)
      exactNames.push(pattern, escapeRegExp(upper(words[0] ?? '')));
    else wholes.set(kind, [...(wholes.get(kind) ?? []), pattern]);
    if (kind === TokenKind.NAME && words.length > 1) {
      for (const part of words.flatMap((w) => w.split('-'))) {
        // As written, or in capitals (`FAADUMO`); never in lower case, where parts are ordinary words.
        if (part.length >= MIN_PART_LENGTH) parts.push(escapeRegExp(part), escapeRegExp(upper(part)));
      }
    }
  }
  const patterns: [TokenKind, RegExp | undefined, number][] = [
    ...[...wholes].map(([kind, values]): [TokenKind, RegExp | undefined, number] => [
      kind,
      alternation(values, 'gi'),
      1,
    ]),
    [TokenKind.NAME, alternation(exactNames, 'g'), 1],
    [TokenKind.NAME, alternation(parts, 'g'), 0.6],
  ];
  return {
    name: 'known-values',
    *detect(text: string): Iterable<Span> {
      for (const [kind, pattern, confidence] of patterns) {
        if (!pattern) continue;
        for (const [start, end] of bounded(pattern, text)) yield { kind, start, end, confidence };
      }
    },
  };
}
