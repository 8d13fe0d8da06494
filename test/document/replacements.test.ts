import { describe, expect, it } from 'vitest';
import {
  applyReplacements,
  findReplacements,
  type Redact,
  redactPersonName,
  UNNAMED_PERSON,
} from '../../lib/document/replacements.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { token, tokenRedact } from '../support/redact.ts';

const NAME = token('NAME');

describe('applyReplacements', () => {
  it('replaces each range and keeps the text between', () => {
    expect(
      applyReplacements('ab cd ef', [
        { start: 0, end: 2, text: 'X' },
        { start: 6, end: 8, text: 'YY' },
      ]),
    ).toBe('X cd YY');
  });

  it('returns the text unchanged when there is nothing to replace', () => {
    expect(applyReplacements('uændret', [])).toBe('uændret');
  });

  it.each([
    [
      'overlapping',
      [
        { start: 0, end: 3 },
        { start: 2, end: 4 },
      ],
    ],
    [
      'unsorted',
      [
        { start: 3, end: 4 },
        { start: 0, end: 1 },
      ],
    ],
    ['past the end', [{ start: 2, end: 9 }]],
    ['reversed', [{ start: 3, end: 2 }]],
  ])('refuses %s replacements with SANITIZE_FAILED, naming offsets only', (_, ranges) => {
    const replacements = ranges.map((r) => ({ ...r, text: '' }));
    expect(() => applyReplacements('hemmelig', replacements)).toThrow(
      expect.objectContaining({
        code: ErrorCode.SANITIZE_FAILED,
        message: expect.not.stringContaining('hemmelig'),
      }),
    );
    expect(() => findReplacements('hemmelig', () => replacements)).toThrow(
      expect.objectContaining({ code: ErrorCode.SANITIZE_FAILED }),
    );
  });
});

describe('redactPersonName', () => {
  it.each([
    ['@Jens Hansen', `@${NAME}`],
    ['Jens Hansen', `@${NAME}`],
    // A user name is tried as words, and gets the token the name gets in the text.
    ['jens.hansen', `@${NAME}`],
    ['JENS_HANSEN', `@${NAME}`],
    [`@${NAME}`, `@${NAME}`],
    // Nothing in these is found, yet they name a person: nothing of them is kept.
    ['accountid:5b10ac8d82e05b22cc7d4ef5', UNNAMED_PERSON],
    ['@Xq', UNNAMED_PERSON],
    ['', UNNAMED_PERSON],
  ])('%j becomes %j', (name, expected) => {
    expect(redactPersonName(name, tokenRedact)).toBe(expected);
  });

  it('keeps nothing of a name that is redacted only in part', () => {
    const firstNameOnly: Redact = (text) => {
      const at = text.indexOf('Jens');
      return at === -1 ? [] : [{ start: at, end: at + 4, text: NAME }];
    };
    expect(redactPersonName('@Jens Xyzzy', firstNameOnly)).toBe(UNNAMED_PERSON);
  });
});
