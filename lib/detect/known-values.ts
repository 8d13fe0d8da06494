import type { TokenKind } from '../pseudonymize/token.ts';
import type { Detector, Span } from './span.ts';

export interface KnownValue {
  kind: TokenKind;
  value: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds mentions of values a ticket's structured fields already name (the reporter's name, a comment
 * author's e-mail), wherever the free text repeats them, in any case and spacing.
 */
export function knownValuesDetector(known: readonly KnownValue[]): Detector {
  const patterns = known
    .map(({ kind, value }) => ({ kind, words: value.trim().split(/\s+/).filter(Boolean) }))
    // Single letters and initials would match everywhere.
    .filter(({ words }) => words.join('').length >= 2)
    .map(({ kind, words }) => ({
      kind,
      pattern: new RegExp(
        `(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}])`,
        'giu',
      ),
    }));
  return {
    name: 'known-values',
    *detect(text: string): Iterable<Span> {
      for (const { kind, pattern } of patterns) {
        for (const match of text.matchAll(pattern)) {
          yield { kind, start: match.index, end: match.index + match[0].length, confidence: 1 };
        }
      }
    },
  };
}
