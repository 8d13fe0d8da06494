import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode, TokenCollisionError } from '../../lib/errors.ts';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';
import type { VaultEntry } from '../../lib/vault/token-vault.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';

let dynamo: EmbeddedDynamo;
let vault: DynamoTokenVault;

beforeAll(async () => {
  dynamo = await openEmbeddedDynamo();
  vault = new DynamoTokenVault(dynamo.client);
});
afterAll(() => dynamo.close());

let n = 0;
const entry = (overrides: Partial<VaultEntry> = {}): VaultEntry => ({
  tenant: 'ballerup',
  token: `CPR_AAAAAAAAAAAA${String(++n)
    .padStart(4, '0')
    .replace(/\d/g, (d) => 'ABCDEFGHIJ'[Number(d)] ?? 'A')}`,
  kind: TokenKind.CPR,
  fingerprint: Uint8Array.from({ length: 32 }, () => n),
  ciphertext: Uint8Array.of(1, 2, 3, n),
  wrappedKey: Uint8Array.of(9, 9, n),
  createdAt: '2026-11-22T00:00:00.000Z',
  ...overrides,
});

describe('DynamoTokenVault (real DynamoDB client, dynalite)', () => {
  it('stores entries and reads them back', async () => {
    const e = entry();
    await vault.recordTokens([e]);
    expect(await vault.getToken(e.tenant, e.token)).toEqual(e);
    expect(await vault.getToken('egedal', e.token)).toBeUndefined();
  });

  it('treats a repeat of the same value as done, and never overwrites the first entry', async () => {
    const e = entry();
    await vault.recordTokens([e]);
    await vault.recordTokens([{ ...e, ciphertext: Uint8Array.of(7), createdAt: 'later' }, e]);
    expect(await vault.getToken(e.tenant, e.token)).toEqual(e);
  });

  it('detects a collision: the same token for another value', async () => {
    const e = entry();
    await vault.recordTokens([e]);
    await expect(vault.recordTokens([{ ...e, fingerprint: new Uint8Array(32) }])).rejects.toBeInstanceOf(
      TokenCollisionError,
    );
  });

  it('survives concurrent writers of the same token, and still catches a concurrent collision', async () => {
    const e = entry();
    await Promise.all(Array.from({ length: 8 }, () => vault.recordTokens([e])));
    expect(await vault.getToken(e.tenant, e.token)).toEqual(e);

    const f = entry();
    const results = await Promise.allSettled([
      vault.recordTokens([f]),
      vault.recordTokens([{ ...f, fingerprint: new Uint8Array(32).fill(255) }]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('handles more entries than one BatchGetItem takes', async () => {
    const many = Array.from({ length: 230 }, () => entry());
    await vault.recordTokens(many);
    await vault.recordTokens(many);
    const stored = await Promise.all(many.map((e) => vault.getToken(e.tenant, e.token)));
    expect(stored).toEqual(many);
  });

  it('stores a tenant key once, and returns the winner to a late writer', async () => {
    const first = Uint8Array.of(1, 1, 1);
    expect(await vault.putTenantKeyIfAbsent('t1', KeyPurpose.TOKEN_DERIVATION, first)).toEqual(first);
    expect(await vault.putTenantKeyIfAbsent('t1', KeyPurpose.TOKEN_DERIVATION, Uint8Array.of(2))).toEqual(
      first,
    );
    expect(await vault.getTenantKey('t1', KeyPurpose.TOKEN_DERIVATION)).toEqual(first);
    expect(await vault.getTenantKey('t1', KeyPurpose.VALUE_ENCRYPTION)).toBeUndefined();
  });

  it('reports an unreachable database as VAULT_UNAVAILABLE, without SDK types', async () => {
    const broken = await openEmbeddedDynamo();
    await broken.close();
    const offline = new DynamoTokenVault(broken.client, VaultTable.defaultName);
    await expect(offline.recordTokens([entry()])).rejects.toMatchObject({
      code: ErrorCode.VAULT_UNAVAILABLE,
      retryable: true,
    });
  });
});
