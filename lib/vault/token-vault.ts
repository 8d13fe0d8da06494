import type { KeyPurpose } from '../keys/key-ring.ts';
import type { TokenKind } from '../pseudonymize/token.ts';

/** One token's row in the vault. The value is only ever here encrypted. */
export interface VaultEntry {
  tenant: string;
  token: string;
  kind: TokenKind;
  /** Full keyed digest of the normalized value: tells a repeat from a collision without decrypting. */
  fingerprint: Uint8Array;
  /** The value as first seen, sealed with AES-256-GCM under {@link wrappedKey}. */
  ciphertext: Uint8Array;
  /** The data key that sealed the value, wrapped by the key ring. */
  wrappedKey: Uint8Array;
  createdAt: string;
}

/**
 * Where tokens and wrapped key material live (port). Adapters do I/O only: no crypto, no policy.
 */
export interface TokenVault {
  /**
   * Stores entries that are not there yet; an entry already there with the same fingerprint is left
   * as it is. Safe to call concurrently for the same token.
   * @throws TokenCollisionError when a token is there with another fingerprint.
   * @throws DependencyError VAULT_UNAVAILABLE when the store fails; some entries may be stored, none half-written.
   */
  recordTokens(entries: readonly VaultEntry[]): Promise<void>;
  getToken(tenant: string, token: string): Promise<VaultEntry | undefined>;
  getTenantKey(tenant: string, purpose: KeyPurpose): Promise<Uint8Array | undefined>;
  /** Stores a wrapped tenant key unless one exists; returns whichever key is stored afterwards. */
  putTenantKeyIfAbsent(tenant: string, purpose: KeyPurpose, wrapped: Uint8Array): Promise<Uint8Array>;
}
