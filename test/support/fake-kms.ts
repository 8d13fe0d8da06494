import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

/**
 * A loopback endpoint speaking AWS KMS's JSON protocol (X-Amz-Target: TrentService.*) for
 * GenerateDataKey and Decrypt. Like KMS, it binds the encryption context into the ciphertext and
 * refuses to decrypt under another context, so tests of the KMS adapter prove the real behaviour.
 */
export class FakeKms extends LoopbackServer {
  readonly calls: { operation: string; context: Record<string, string> }[] = [];
  /** When set, every call fails with this KMS error type (e.g. 'KMSInternalException'). */
  failWith: string | undefined;
  readonly keyId = 'arn:aws:kms:eu-north-1:111122223333:key/00000000-0000-0000-0000-000000000000';
  protected contentType = 'application/x-amz-json-1.1';
  readonly #key = randomBytes(32);

  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
    const input = JSON.parse(raw || '{}') as {
      EncryptionContext?: Record<string, string>;
      CiphertextBlob?: string;
    };
    const context = input.EncryptionContext ?? {};
    this.calls.push({ operation, context });
    if (this.failWith) return { status: 500, body: { __type: this.failWith, message: 'injected failure' } };
    const aad = Buffer.from(JSON.stringify(Object.entries(context).sort()));
    if (operation === 'GenerateDataKey') {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(aad);
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const blob = Buffer.concat([iv, cipher.getAuthTag(), sealed]);
      return {
        status: 200,
        body: {
          KeyId: this.keyId,
          Plaintext: plaintext.toString('base64'),
          CiphertextBlob: blob.toString('base64'),
        },
      };
    }
    if (operation === 'Decrypt') {
      const blob = Buffer.from(String(input.CiphertextBlob), 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.#key, blob.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(blob.subarray(12, 28));
        const plaintext = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
        return { status: 200, body: { KeyId: this.keyId, Plaintext: plaintext.toString('base64') } };
      } catch {
        return { status: 400, body: { __type: 'InvalidCiphertextException', message: 'invalid ciphertext' } };
      }
    }
    return {
      status: 400,
      body: { __type: 'UnsupportedOperationException', message: `not faked: ${operation}` },
    };
  }
}
