import { describe, expect, it } from 'vitest';
import {
  base32,
  formatToken,
  isToken,
  normalizeValue,
  TOKEN_PATTERN,
  TokenKind,
} from '../../lib/pseudonymize/token.ts';

describe('tokens', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('base32 encodes %j as RFC 4648 says (%s)', (input, output) => {
    expect(base32(new TextEncoder().encode(input))).toBe(output);
  });

  it('formats tokens that match the contract grammar', () => {
    for (const kind of Object.values(TokenKind)) {
      const token = formatToken(
        kind,
        Uint8Array.from({ length: 32 }, (_, i) => i * 7),
      );
      expect(token).toMatch(/^[A-Z]{2,10}_[A-Z2-7]{16}$/);
      expect(isToken(token)).toBe(true);
      expect(`(${token})`.match(TOKEN_PATTERN)).toEqual([token]);
    }
  });

  it.each([
    [TokenKind.CPR, '010190-1234', '0101901234'],
    [TokenKind.CPR, '01.01.90 1234', '0101901234'],
    [TokenKind.EMAIL, ' Jens.Hansen@Example.DK ', 'jens.hansen@example.dk'],
    [TokenKind.NAME, 'Søren   ØSTERGAARD', 'søren østergaard'],
    [TokenKind.PHONE, '+45 20 30 40 50', '20304050'],
    [TokenKind.PHONE, '0045 20304050', '20304050'],
    [TokenKind.SECRET, ' Hunter2 ', 'Hunter2'],
  ])('normalizes %s %j to %j', (kind, value, normalized) => {
    expect(normalizeValue(kind, value)).toBe(normalized);
  });
});
