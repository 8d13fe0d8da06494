import { createHmac } from 'node:crypto';
import { open, seal } from '../keys/aes-gcm.ts';
import type { TenantKeys } from '../keys/tenant-keys.ts';
import type { TokenVault, VaultEntry } from '../vault/token-vault.ts';
import { formatToken, normalizeValue, TokenKind } from './token.ts';

export interface PersonalValue {
  kind: TokenKind;
  /** The value as written in the ticket. */
  value: string;
}

export interface RevealedValue {
  kind: TokenKind;
  value: string;
}

const encoder = new TextEncoder();
const valueAad = (tenant: string, token: string) => encoder.encode(`${tenant}\u0000${token}`);

/**
 * Turns personal values into tokens and records them in the vault, and back.
 * Tokens are deterministic per tenant: the same kind and normalized value give the same token.
 */
export class Pseudonymizer {
  readonly #keys: TenantKeys;
  readonly #vault: TokenVault;
  readonly #now: () => Date;

  constructor(deps: { keys: TenantKeys; vault: TokenVault; now?: () => Date }) {
    this.#keys = deps.keys;
    this.#vault = deps.vault;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Returns one token per value, in order, after every re-identifiable value is safely in the vault.
   * SECRET values are never stored, so their tokens lead nowhere.
   */
  async tokenize(tenant: string, values: readonly PersonalValue[]): Promise<string[]> {
    if (values.length === 0) return [];
    const tokenKey = await this.#keys.tokenKey(tenant);
    const entries = new Map<string, PersonalValue & { fingerprint: Uint8Array }>();
    const tokens = values.map(({ kind, value }) => {
      const fingerprint = createHmac('sha256', tokenKey)
        .update(`${kind}\u0000${normalizeValue(kind, value)}`)
        .digest();
      const token = formatToken(kind, fingerprint);
      if (kind !== TokenKind.SECRET && !entries.has(token)) entries.set(token, { kind, value, fingerprint });
      return token;
    });
    if (entries.size > 0) {
      const dataKey = await this.#keys.valueKey(tenant, entries.size);
      const createdAt = this.#now().toISOString();
      const rows: VaultEntry[] = [...entries].map(([token, { kind, value, fingerprint }]) => ({
        tenant,
        token,
        kind,
        fingerprint,
        ciphertext: seal(dataKey.plaintext, encoder.encode(value), valueAad(tenant, token)),
        wrappedKey: dataKey.wrapped,
        createdAt,
      }));
      await this.#vault.recordTokens(rows);
    }
    return tokens;
  }

  /** The value behind a token of this tenant, or undefined if the vault has none. */
  async reveal(tenant: string, token: string): Promise<RevealedValue | undefined> {
    const entry = await this.#vault.getToken(tenant, token);
    if (!entry) return undefined;
    const key = await this.#keys.unwrapValueKey(tenant, entry.wrappedKey);
    const value = new TextDecoder().decode(open(key, entry.ciphertext, valueAad(tenant, token)));
    return { kind: entry.kind, value };
  }
}
