import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback endpoint speaking AWS KMS's JSON protocol (X-Amz-Target: TrentService.*) for
 * GenerateDataKey and Decrypt. Like KMS, it binds the encryption context into the ciphertext and
 * refuses to decrypt under another context, so tests of the KMS adapter prove the real behaviour.
 */
export class FakeKms {
  readonly calls: { operation: string; context: Record<string, string> }[] = [];
  /** When set, every call fails with this KMS error type (e.g. 'KMSInternalException'). */
  failWith: string | undefined;
  #server: Server | undefined;
  readonly #key = randomBytes(32);
  readonly keyId = 'arn:aws:kms:eu-north-1:111122223333:key/00000000-0000-0000-0000-000000000000';
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        const context = (input.EncryptionContext ?? {}) as Record<string, string>;
        this.calls.push({ operation, context });
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (this.failWith) return reply(500, { __type: this.failWith, message: 'injected failure' });
        const aad = Buffer.from(JSON.stringify(Object.entries(context).sort()));
        if (operation === 'GenerateDataKey') {
          const plaintext = randomBytes(32);
          const iv = randomBytes(12);
          const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(aad);
          const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
          const blob = Buffer.concat([iv, cipher.getAuthTag(), body]);
          return reply(200, {
            KeyId: this.keyId,
            Plaintext: plaintext.toString('base64'),
            CiphertextBlob: blob.toString('base64'),
          });
        }
        if (operation === 'Decrypt') {
          const blob = Buffer.from(String(input.CiphertextBlob), 'base64');
          try {
            const decipher = createDecipheriv('aes-256-gcm', this.#key, blob.subarray(0, 12)).setAAD(aad);
            decipher.setAuthTag(blob.subarray(12, 28));
            const plaintext = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
            return reply(200, { KeyId: this.keyId, Plaintext: plaintext.toString('base64') });
          } catch {
            return reply(400, { __type: 'InvalidCiphertextException', message: 'invalid ciphertext' });
          }
        }
        reply(400, {
          __type: 'UnsupportedOperationException',
          message: `fake does not implement ${operation}`,
        });
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
