import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DependencyError, ErrorCode } from '../errors.ts';
import type { DataKey, KeyContext, KeyRing } from './key-ring.ts';

/**
 * AWS KMS as the master key. The purpose and tenant travel as encryption context, so CloudTrail shows
 * which tenant's key was used and key policies can allow or refuse per purpose.
 */
export class KmsKeyRing implements KeyRing {
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(client: KMSClient, keyId: string) {
    this.#client = client;
    this.#keyId = keyId;
  }

  async generateDataKey(context: KeyContext): Promise<DataKey> {
    try {
      const out = await this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: this.#keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...context },
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no key');
      return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
    } catch (error) {
      throw new DependencyError(
        ErrorCode.KEY_UNAVAILABLE,
        `KMS could not generate a ${context.purpose} key`,
        error,
      );
    }
  }

  async decryptDataKey(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    try {
      const out = await this.#client.send(
        new DecryptCommand({
          KeyId: this.#keyId,
          CiphertextBlob: wrapped,
          EncryptionContext: { ...context },
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no key');
      return out.Plaintext;
    } catch (error) {
      throw new DependencyError(
        ErrorCode.KEY_UNAVAILABLE,
        `KMS could not unwrap a ${context.purpose} key`,
        error,
      );
    }
  }
}
