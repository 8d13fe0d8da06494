import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DependencyError, ErrorCode } from '../../lib/errors.ts';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const context = { purpose: KeyPurpose.VALUE_ENCRYPTION, tenant: 'ballerup' } as const;

describe('LocalFileKeyRing', () => {
  it('creates a 256-bit key file only its owner can read, on first use', async () => {
    const path = join(await tempDir(), 'nested', 'master.key');
    await LocalFileKeyRing.open(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path)).byteLength).toBe(32);
  });

  it('keeps the key across openings, and two processes starting at once agree on one key', async () => {
    const path = join(await tempDir(), 'master.key');
    const [a, b] = await Promise.all([LocalFileKeyRing.open(path), LocalFileKeyRing.open(path)]);
    const key = await a.generateDataKey(context);
    expect(await b.decryptDataKey(key.wrapped, context)).toEqual(key.plaintext);
    const reopened = await LocalFileKeyRing.open(path);
    expect(await reopened.decryptDataKey(key.wrapped, context)).toEqual(key.plaintext);
  });

  it('unwraps only under the context the key was wrapped with', async () => {
    const ring = await LocalFileKeyRing.open(join(await tempDir(), 'master.key'));
    const key = await ring.generateDataKey(context);
    for (const other of [
      { ...context, tenant: 'egedal' },
      { ...context, purpose: KeyPurpose.TOKEN_DERIVATION },
    ]) {
      await expect(ring.decryptDataKey(key.wrapped, other)).rejects.toMatchObject({
        code: ErrorCode.KEY_UNAVAILABLE,
      });
    }
    const tampered = Uint8Array.from(key.wrapped);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    await expect(ring.decryptDataKey(tampered, context)).rejects.toBeInstanceOf(DependencyError);
  });

  it('refuses a key file others can read', async () => {
    const path = join(await tempDir(), 'master.key');
    await LocalFileKeyRing.open(path);
    await chmod(path, 0o644);
    await expect(LocalFileKeyRing.open(path)).rejects.toThrow(ConfigError);
    await expect(LocalFileKeyRing.open(path)).rejects.toThrow(/chmod 600/);
  });
});
