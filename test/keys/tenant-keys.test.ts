import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { type DataKey, type KeyContext, KeyPurpose, type KeyRing } from '../../lib/keys/key-ring.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

/** Counts calls to a real key ring. */
class CountingKeyRing implements KeyRing {
  generated = 0;
  decrypted = 0;
  readonly inner: KeyRing;
  constructor(inner: KeyRing) {
    this.inner = inner;
  }
  generateDataKey(context: KeyContext): Promise<DataKey> {
    this.generated++;
    return this.inner.generateDataKey(context);
  }
  decryptDataKey(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    this.decrypted++;
    return this.inner.decryptDataKey(wrapped, context);
  }
}

const databases: EmbeddedDynamo[] = [];
afterAll(() => Promise.all(databases.map((d) => d.close())));

/** A counting key ring over a real key file, and a vault of its own so tenant keys never leak between tests. */
async function setup() {
  const ring = new CountingKeyRing(await LocalFileKeyRing.open(join(await tempDir(), 'master.key')));
  const dynamo = await openEmbeddedDynamo();
  databases.push(dynamo);
  return { ring, vault: new DynamoTokenVault(dynamo.client) };
}

describe('TenantKeys', () => {
  it('creates a tenant token key once, stores it wrapped, and serves it from memory afterwards', async () => {
    const { ring, vault } = await setup();
    const keys = new TenantKeys(ring, vault);
    const [a, b] = await Promise.all([keys.tokenKey('ballerup'), keys.tokenKey('ballerup')]);
    expect(a).toEqual(b);
    expect(await keys.tokenKey('ballerup')).toEqual(a);
    expect(ring.generated).toBe(1);
    const stored = await vault.getTenantKey('ballerup', KeyPurpose.TOKEN_DERIVATION);
    expect(stored).toBeDefined();
    expect(stored).not.toEqual(a);
  });

  it('gives another process the same token key, unwrapped from the vault', async () => {
    const { ring, vault } = await setup();
    const first = await new TenantKeys(ring, vault).tokenKey('ballerup');
    expect(await new TenantKeys(ring, vault).tokenKey('ballerup')).toEqual(first);
    expect(ring.decrypted).toBe(1);
  });

  it('keeps tenants apart', async () => {
    const { ring, vault } = await setup();
    const keys = new TenantKeys(ring, vault);
    expect(await keys.tokenKey('ballerup')).not.toEqual(await keys.tokenKey('egedal'));
  });

  it('reuses a value data key until its use count or age runs out', async () => {
    const { ring, vault } = await setup();
    let now = 0;
    const keys = new TenantKeys(ring, vault, { maxValueKeyUses: 3, maxValueKeyAgeMs: 1000, now: () => now });
    const first = await keys.valueKey('ballerup');
    expect(await keys.valueKey('ballerup')).toBe(first);
    expect(await keys.valueKey('ballerup')).toBe(first);
    const second = await keys.valueKey('ballerup');
    expect(second).not.toBe(first);
    now = 2000;
    expect(await keys.valueKey('ballerup')).not.toBe(second);
    expect(ring.generated).toBe(3);
  });

  it('counts uses per value encrypted, not per call', async () => {
    const { ring, vault } = await setup();
    const keys = new TenantKeys(ring, vault, { maxValueKeyUses: 10 });
    const first = await keys.valueKey('ballerup', 10);
    expect(await keys.valueKey('ballerup', 1)).not.toBe(first);
  });

  it('forgets a failed load so the next call retries', async () => {
    const { vault } = await setup();
    let fail = true;
    const flaky: KeyRing = {
      generateDataKey: async () => {
        if (fail) throw new Error('down');
        return { plaintext: new Uint8Array(32), wrapped: new Uint8Array(8) };
      },
      decryptDataKey: async () => new Uint8Array(32),
    };
    const keys = new TenantKeys(flaky, vault);
    await expect(keys.valueKey('ballerup')).rejects.toThrow('down');
    fail = false;
    await expect(keys.valueKey('ballerup')).resolves.toBeDefined();
  });
});
