import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenCollisionError } from '../../lib/errors.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { TOKEN_PATTERN, TokenKind } from '../../lib/pseudonymize/token.ts';
import { InMemoryVault } from '../support/in-memory-vault.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

async function setup() {
  const vault = new InMemoryVault();
  const ring = await LocalFileKeyRing.open(join(await tempDir(), 'master.key'));
  return { vault, pseudonymizer: new Pseudonymizer({ keys: new TenantKeys(ring, vault), vault }) };
}

describe('Pseudonymizer', () => {
  it('gives the same value the same token in one tenant, whatever its spelling', async () => {
    const { pseudonymizer } = await setup();
    const tokens = await pseudonymizer.tokenize('ballerup', [
      { kind: TokenKind.CPR, value: '010190-1234' },
      { kind: TokenKind.CPR, value: '0101901234' },
      { kind: TokenKind.EMAIL, value: 'Jens@Example.dk' },
      { kind: TokenKind.EMAIL, value: 'jens@example.dk' },
    ]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).toBe(tokens[3]);
    expect(tokens[0]).toMatch(/^CPR_[A-Z2-7]{16}$/);
    expect(tokens[2]).toMatch(/^EMAIL_[A-Z2-7]{16}$/);
    expect(tokens.join(' ').match(TOKEN_PATTERN)).toHaveLength(4);
  });

  it('gives another tenant another token for the same value', async () => {
    const { pseudonymizer } = await setup();
    const value = [{ kind: TokenKind.CPR, value: '0101901234' }];
    const [a] = await pseudonymizer.tokenize('ballerup', value);
    const [b] = await pseudonymizer.tokenize('egedal', value);
    expect(a).not.toBe(b);
  });

  it('stores values encrypted and reveals them only for their own tenant', async () => {
    const { pseudonymizer, vault } = await setup();
    const [token] = await pseudonymizer.tokenize('ballerup', [
      { kind: TokenKind.NAME, value: 'Jens Hansen' },
    ]);
    const stored = [...vault.entries.values()];
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0]?.ciphertext ?? []).toString('latin1')).not.toContain('Jens');
    expect(await pseudonymizer.reveal('ballerup', token as string)).toEqual({
      kind: 'NAME',
      value: 'Jens Hansen',
    });
    expect(await pseudonymizer.reveal('egedal', token as string)).toBeUndefined();
  });

  it('never stores SECRET values', async () => {
    const { pseudonymizer, vault } = await setup();
    const [token] = await pseudonymizer.tokenize('ballerup', [{ kind: TokenKind.SECRET, value: 'hunter2' }]);
    expect(token).toMatch(/^SECRET_/);
    expect(vault.entries.size).toBe(0);
    expect(await pseudonymizer.reveal('ballerup', token as string)).toBeUndefined();
  });

  it('writes each ticket’s tokens in one vault call', async () => {
    const { pseudonymizer, vault } = await setup();
    await pseudonymizer.tokenize('ballerup', [
      { kind: TokenKind.CPR, value: '0101901234' },
      { kind: TokenKind.EMAIL, value: 'a@example.dk' },
    ]);
    expect(vault.recordCalls).toBe(1);
  });

  it('fails closed on a token collision instead of merging two values', async () => {
    const { pseudonymizer, vault } = await setup();
    const [token] = await pseudonymizer.tokenize('ballerup', [{ kind: TokenKind.CPR, value: '0101901234' }]);
    const entry = vault.entries.get(`ballerup#${token}`);
    if (entry) entry.fingerprint = new Uint8Array(32);
    await expect(
      pseudonymizer.tokenize('ballerup', [{ kind: TokenKind.CPR, value: '0101901234' }]),
    ).rejects.toBeInstanceOf(TokenCollisionError);
  });
});
