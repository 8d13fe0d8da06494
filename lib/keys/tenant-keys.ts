import type { TokenVault } from '../vault/token-vault.ts';
import { type DataKey, KeyPurpose, type KeyRing } from './key-ring.ts';

export interface TenantKeysOptions {
  /** A value data key encrypts at most this many values... @default 100_000 */
  maxValueKeyUses?: number;
  /** ...and is used for at most this long. @default one hour */
  maxValueKeyAgeMs?: number;
  now?: () => number;
}

interface ValueKey extends DataKey {
  uses: number;
  createdAt: number;
}

/** Unwrapped value keys kept in memory; beyond this the oldest is dropped and unwrapped again if needed. */
const MAX_UNWRAPPED = 256;

/**
 * Per-tenant key material, cached so that a warm process needs no key-ring call per ticket.
 *
 * - The token key (HMAC) is one per tenant, created once, stored wrapped in the vault.
 * - Value keys are fresh data keys, replaced by use count and age; each entry stores its wrapped key,
 *   so encrypting never needs the right to decrypt.
 */
export class TenantKeys {
  readonly #keyRing: KeyRing;
  readonly #vault: TokenVault;
  readonly #maxUses: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #tokenKeys = new Map<string, Promise<Uint8Array>>();
  readonly #valueKeys = new Map<string, ValueKey>();
  readonly #newValueKeys = new Map<string, Promise<ValueKey>>();
  readonly #unwrapped = new Map<string, Promise<Uint8Array>>();

  constructor(keyRing: KeyRing, vault: TokenVault, options: TenantKeysOptions = {}) {
    this.#keyRing = keyRing;
    this.#vault = vault;
    this.#maxUses = options.maxValueKeyUses ?? 100_000;
    this.#maxAgeMs = options.maxValueKeyAgeMs ?? 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The tenant's token-derivation key, created on the tenant's first ticket. */
  tokenKey(tenant: string): Promise<Uint8Array> {
    return this.#cached(this.#tokenKeys, tenant, () => this.#loadOrCreateTokenKey(tenant));
  }

  /**
   * The tenant's token-derivation key if the tenant has one, never creating it: for looking tokens
   * up (the DPO's questions), which must not give a tenant keys as a side effect.
   */
  async existingTokenKey(tenant: string): Promise<Uint8Array | undefined> {
    const cached = this.#tokenKeys.get(tenant);
    if (cached) return cached;
    const context = { purpose: KeyPurpose.TOKEN_DERIVATION, tenant };
    if (!(await this.#vault.getTenantKey(tenant, context.purpose))) return undefined;
    return this.tokenKey(tenant);
  }

  /** A data key to encrypt `values` values of this tenant with, and its wrapped form to store beside them. */
  async valueKey(tenant: string, values = 1): Promise<DataKey> {
    let key = this.#valueKeys.get(tenant);
    if (!key || key.uses >= this.#maxUses || this.#now() - key.createdAt > this.#maxAgeMs) {
      // Concurrent callers share one new key.
      let pending = this.#newValueKeys.get(tenant);
      if (!pending) {
        pending = this.#keyRing
          .generateDataKey({ purpose: KeyPurpose.VALUE_ENCRYPTION, tenant })
          .then((k) => ({ ...k, uses: 0, createdAt: this.#now() }));
        this.#newValueKeys.set(tenant, pending);
        pending
          .then(
            (k) => this.#valueKeys.set(tenant, k),
            () => undefined,
          )
          .finally(() => this.#newValueKeys.delete(tenant));
      }
      key = await pending;
    }
    key.uses += values;
    return key;
  }

  /** Unwraps the data key stored beside a value (re-identification path). */
  unwrapValueKey(tenant: string, wrapped: Uint8Array): Promise<Uint8Array> {
    if (this.#unwrapped.size >= MAX_UNWRAPPED)
      this.#unwrapped.delete(this.#unwrapped.keys().next().value ?? '');
    const id = `${tenant}\u0000${Buffer.from(wrapped).toString('base64')}`;
    return this.#cached(this.#unwrapped, id, () =>
      this.#keyRing.decryptDataKey(wrapped, { purpose: KeyPurpose.VALUE_ENCRYPTION, tenant }),
    );
  }

  async #loadOrCreateTokenKey(tenant: string): Promise<Uint8Array> {
    const context = { purpose: KeyPurpose.TOKEN_DERIVATION, tenant };
    let wrapped = await this.#vault.getTenantKey(tenant, context.purpose);
    if (!wrapped) {
      const fresh = await this.#keyRing.generateDataKey(context);
      wrapped = await this.#vault.putTenantKeyIfAbsent(tenant, context.purpose, fresh.wrapped);
      // Another process may have won the race: use the stored key, never our own.
      if (Buffer.compare(wrapped, fresh.wrapped) === 0) return fresh.plaintext;
    }
    return this.#keyRing.decryptDataKey(wrapped, context);
  }

  /** Shares one pending load per key; a failed load is forgotten so the next call retries. */
  #cached<T>(cache: Map<string, Promise<T>>, id: string, load: () => Promise<T>): Promise<T> {
    const existing = cache.get(id);
    if (existing) return existing;
    const pending = load();
    cache.set(id, pending);
    pending.catch(() => {
      if (cache.get(id) === pending) cache.delete(id);
    });
    return pending;
  }
}
