import { ErrorCode, TicketProxyError, TokenCollisionError } from '../errors.ts';
import { open, seal } from '../keys/aes-gcm.ts';
import { hmacSha256 } from '../keys/hmac.ts';
import type { TenantKeys } from '../keys/tenant-keys.ts';
import type { TicketReference, TokenVault, VaultEntry } from '../vault/token-vault.ts';
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

/**
 * Two values whose tokens collide (80 bits: vanishingly rare) are told apart by probing: the later
 * value takes the token derived with probe 1, 2, … The same value always walks the same probes, so
 * its token stays stable.
 */
const MAX_PROBES = 8;

const encoder = new TextEncoder();
const sameBytes = (a: Uint8Array, b: Uint8Array | undefined) => b !== undefined && Buffer.compare(a, b) === 0;
const valueAad = (tenant: string, token: string) => encoder.encode(`${tenant}\u0000${token}`);

/** The keyed digest a token is made from; probe 0 is also the value's fingerprint. */
const deriveDigest = (mac: (message: string) => Buffer, kind: TokenKind, normalized: string, probe: number) =>
  mac(probe === 0 ? `${kind}\u0000${normalized}` : `${kind}\u0000${normalized}\u0000${probe}`);

interface Pending extends PersonalValue {
  normalized: string;
  /** HMAC of the normalized value: identifies the value whatever its token. */
  fingerprint: Uint8Array;
  probe: number;
  token: string;
}

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
   * Returns one token per value, in order, after every re-identifiable value is safely in the vault
   * and referenced by the ticket (which keeps it until the ticket's retention ends). SECRET values are
   * never stored, so their tokens lead nowhere.
   */
  async tokenize(ticket: TicketReference, values: readonly PersonalValue[]): Promise<string[]> {
    // A ticket without personal data is still recorded: its retention and its Jira issue are tracked.
    if (values.length === 0) return this.#vault.recordTokens(ticket, []).then(() => []);
    const mac = hmacSha256(await this.#keys.tokenKey(ticket.tenant));
    const digest = (kind: TokenKind, normalized: string, probe: number) =>
      deriveDigest(mac, kind, normalized, probe);

    const unique = new Map<string, Pending>();
    for (const { kind, value } of values) {
      const normalized = normalizeValue(kind, value);
      const id = `${kind}\u0000${normalized}`;
      if (unique.has(id)) continue;
      const fingerprint = digest(kind, normalized, 0);
      unique.set(id, {
        kind,
        value,
        normalized,
        fingerprint,
        probe: 0,
        token: formatToken(kind, fingerprint),
      });
    }
    const probe = (p: Pending) => {
      if (++p.probe >= MAX_PROBES) throw new TokenCollisionError(ticket.tenant, p.token, p.fingerprint);
      p.token = formatToken(p.kind, digest(p.kind, p.normalized, p.probe));
    };
    const stored = [...unique.values()].filter((p) => p.kind !== TokenKind.SECRET);
    // Two values of this very ticket on one token: the later one moves before anything is written.
    const taken = new Set<string>();
    for (const p of stored) {
      while (taken.has(p.token)) probe(p);
      taken.add(p.token);
    }
    for (;;) {
      try {
        await this.#record(ticket, stored);
        break;
      } catch (error) {
        // The value that lost is the one with the failing token and fingerprint, never the token's owner.
        const lost =
          error instanceof TokenCollisionError &&
          stored.find((p) => p.token === error.token && sameBytes(p.fingerprint, error.fingerprint));
        if (!lost) throw error;
        probe(lost);
      }
    }
    return values.map(
      ({ kind, value }) => unique.get(`${kind}\u0000${normalizeValue(kind, value)}`)?.token ?? '',
    );
  }

  /**
   * The token a value has in a tenant, computed without storing anything (to find a person's tokens
   * in the audit log). A value that lost a collision has a later probe's token: the probes are
   * followed while the vault shows the earlier token held by another value. A token whose entry is
   * gone (past retention) is taken as the value's own, as it almost always was. Undefined for a
   * tenant that has never had a ticket.
   */
  async tokenOf(tenant: string, kind: TokenKind, value: string): Promise<string | undefined> {
    // A tenant without a token key has no tokens, and a lookup must not create its key.
    const tokenKey = await this.#keys.existingTokenKey(tenant);
    if (!tokenKey) return undefined;
    const normalized = normalizeValue(kind, value);
    const mac = hmacSha256(tokenKey);
    const digest = (probe: number) => deriveDigest(mac, kind, normalized, probe);
    const fingerprint = digest(0);
    let token = formatToken(kind, fingerprint);
    for (let probe = 1; probe < MAX_PROBES; probe++) {
      const entry = await this.#vault.getToken(tenant, token, this.#now());
      if (!entry || sameBytes(fingerprint, entry.fingerprint)) break;
      token = formatToken(kind, digest(probe));
    }
    return token;
  }

  /** The value behind a token of this tenant, or undefined if there is none or its retention has ended. */
  async reveal(tenant: string, token: string): Promise<RevealedValue | undefined> {
    const entry = await this.#vault.getToken(tenant, token, this.#now());
    if (!entry) return undefined;
    const key = await this.#keys.unwrapValueKey(tenant, entry.wrappedKey);
    try {
      const value = new TextDecoder().decode(open(key, entry.ciphertext, valueAad(tenant, token)));
      return { kind: entry.kind, value };
    } catch (error) {
      throw new TicketProxyError(
        ErrorCode.VALUE_UNREADABLE,
        `the stored value of ${token} does not decrypt`,
        {
          cause: error,
        },
      );
    }
  }

  async #record(ticket: TicketReference, pending: readonly Pending[]): Promise<void> {
    if (pending.length === 0) return this.#vault.recordTokens(ticket, []);
    const dataKey = await this.#keys.valueKey(ticket.tenant, pending.length);
    const createdAt = this.#now().toISOString();
    const rows: VaultEntry[] = pending.map(({ kind, value, fingerprint, token }) => ({
      tenant: ticket.tenant,
      token,
      kind,
      fingerprint,
      ciphertext: seal(dataKey.plaintext, encoder.encode(value), valueAad(ticket.tenant, token)),
      wrappedKey: dataKey.wrapped,
      createdAt,
    }));
    await this.#vault.recordTokens(ticket, rows);
  }
}
