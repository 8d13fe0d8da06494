import { TokenCollisionError } from '../../lib/errors.ts';
import type { KeyPurpose } from '../../lib/keys/key-ring.ts';
import type { TokenVault, VaultEntry } from '../../lib/vault/token-vault.ts';

/** A TokenVault in a Map, for unit tests of the core; the DynamoDB adapter has its own suite. */
export class InMemoryVault implements TokenVault {
  readonly entries = new Map<string, VaultEntry>();
  readonly tenantKeys = new Map<string, Uint8Array>();
  recordCalls = 0;

  async recordTokens(entries: readonly VaultEntry[]): Promise<void> {
    this.recordCalls++;
    for (const entry of entries) {
      const id = `${entry.tenant}#${entry.token}`;
      const stored = this.entries.get(id);
      if (stored && Buffer.compare(stored.fingerprint, entry.fingerprint) !== 0) {
        throw new TokenCollisionError(entry.tenant, entry.token);
      }
      if (!stored) this.entries.set(id, entry);
    }
  }

  async getToken(tenant: string, token: string): Promise<VaultEntry | undefined> {
    return this.entries.get(`${tenant}#${token}`);
  }

  async getTenantKey(tenant: string, purpose: KeyPurpose): Promise<Uint8Array | undefined> {
    return this.tenantKeys.get(`${tenant}#${purpose}`);
  }

  async putTenantKeyIfAbsent(tenant: string, purpose: KeyPurpose, wrapped: Uint8Array): Promise<Uint8Array> {
    const id = `${tenant}#${purpose}`;
    if (!this.tenantKeys.has(id)) this.tenantKeys.set(id, wrapped);
    return this.tenantKeys.get(id) as Uint8Array;
  }
}
