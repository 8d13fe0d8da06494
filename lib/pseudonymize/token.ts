/**
 * Pseudonym tokens: `KIND_BODY` (CONTRACTS.md §2). The body is RFC 4648 base32 of a keyed digest,
 * so it says nothing about the value it stands for.
 */

/** Kinds of personal data a token can stand for. */
export const TokenKind = {
  CPR: 'CPR',
  NAME: 'NAME',
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  ADDR: 'ADDR',
  SECRET: 'SECRET',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

const TOKEN_SOURCE = '[A-Z]{2,10}_[A-Z2-7]{10,16}';

/** Every token in a text, as the contract defines them (kinds added later still match). */
export const TOKEN_PATTERN = new RegExp(String.raw`\b${TOKEN_SOURCE}\b`, 'g');
const WHOLE_TOKEN = new RegExp(`^${TOKEN_SOURCE}$`);

/** Characters of body this project writes: 16 base32 characters carry 80 bits of the digest. */
export const TOKEN_BODY_LENGTH = 16;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Builds a token from its kind and the keyed digest of its normalized value. */
export function formatToken(kind: TokenKind, digest: Uint8Array): string {
  // 10 bytes give exactly 16 base32 characters.
  return `${kind}_${base32(digest.subarray(0, 10)).slice(0, TOKEN_BODY_LENGTH)}`;
}

/** True when the whole string is one token. */
export function isToken(value: string): boolean {
  return WHOLE_TOKEN.test(value);
}

/** The kind a token names, as written (possibly a kind this version does not know). */
export function tokenKindOf(token: string): string {
  return token.slice(0, token.indexOf('_'));
}

/**
 * The form of a value that decides its token: two spellings of one value give one token.
 * CPR numbers lose separators, e-mail addresses and names lose case and extra spaces.
 */
export function normalizeValue(kind: TokenKind, value: string): string {
  const nfc = value.normalize('NFC').trim();
  switch (kind) {
    case TokenKind.CPR:
      return nfc.replace(/\D/g, '');
    case TokenKind.PHONE:
      // +45 and 0045 are the Danish country code, not part of the subscriber number.
      return nfc.replace(/\D/g, '').replace(/^(?:00)?45(?=\d{8}$)/, '');
    case TokenKind.EMAIL:
      return nfc.toLowerCase();
    case TokenKind.NAME:
    case TokenKind.ADDR:
      return nfc.replace(/\s+/g, ' ').toLocaleLowerCase('da');
    case TokenKind.SECRET:
      return nfc;
  }
}
