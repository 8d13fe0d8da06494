import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { KmsKeyRing } from '../../lib/keys/kms-key-ring.ts';
import { FakeKms } from '../support/fake-kms.ts';

const kms = new FakeKms();
let ring: KmsKeyRing;
const context = { purpose: KeyPurpose.TOKEN_DERIVATION, tenant: 'ballerup' } as const;

beforeAll(async () => {
  await kms.start();
  const client = new KMSClient({
    endpoint: kms.url,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  ring = new KmsKeyRing(client, kms.keyId);
});
afterAll(() => kms.stop());

describe('KmsKeyRing (real KMS client, loopback KMS)', () => {
  it('generates a data key and unwraps it, sending purpose and tenant as encryption context', async () => {
    const key = await ring.generateDataKey(context);
    expect(key.plaintext.byteLength).toBe(32);
    expect(await ring.decryptDataKey(key.wrapped, context)).toEqual(key.plaintext);
    expect(kms.calls.slice(-2)).toEqual([
      { operation: 'GenerateDataKey', context },
      { operation: 'Decrypt', context },
    ]);
  });

  it('cannot unwrap a key under another tenant or purpose', async () => {
    const key = await ring.generateDataKey(context);
    await expect(ring.decryptDataKey(key.wrapped, { ...context, tenant: 'egedal' })).rejects.toMatchObject({
      code: ErrorCode.KEY_UNAVAILABLE,
      retryable: true,
    });
  });

  it('reports KMS outages as KEY_UNAVAILABLE', async () => {
    kms.failWith = 'KMSInternalException';
    try {
      await expect(ring.generateDataKey(context)).rejects.toMatchObject({ code: ErrorCode.KEY_UNAVAILABLE });
    } finally {
      kms.failWith = undefined;
    }
  });
});
