import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { readOrCreatePrivateFile } from '../embedded/private-file.ts';
import { ConfigError, DependencyError, ErrorCode } from '../errors.ts';
import { open, seal } from './aes-gcm.ts';
import { contextBytes, type DataKey, type KeyContext, type KeyRing } from './key-ring.ts';

const MASTER_KEY_BYTES = 32;

/**
 * The embedded default's key provider: a 256-bit master key in a file only its owner can read
 * (mode 0600), created on first use. Whoever can read the data directory holds the keys, which is
 * why the cloud deployment uses {@link KmsKeyRing} instead.
 */
export class LocalFileKeyRing implements KeyRing {
  readonly #masterKey: Uint8Array;

  private constructor(masterKey: Uint8Array) {
    this.#masterKey = masterKey;
  }

  /** Opens the key file, creating it (mode 0600) if it does not exist. */
  static async open(path: string): Promise<LocalFileKeyRing> {
    const key = await readOrCreatePrivateFile(path, () => randomBytes(MASTER_KEY_BYTES));
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) {
      throw new ConfigError(
        `key file ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`,
      );
    }
    if (key.byteLength !== MASTER_KEY_BYTES) {
      throw new ConfigError(`key file ${path} holds ${key.byteLength} bytes, expected ${MASTER_KEY_BYTES}`);
    }
    return new LocalFileKeyRing(key);
  }

  async generateDataKey(context: KeyContext): Promise<DataKey> {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: seal(this.#masterKey, plaintext, contextBytes(context)) };
  }

  async decryptDataKey(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    try {
      return open(this.#masterKey, wrapped, contextBytes(context));
    } catch (error) {
      throw new DependencyError(
        ErrorCode.KEY_UNAVAILABLE,
        `cannot unwrap a ${context.purpose} key of tenant ${context.tenant} with the local key file`,
        error,
      );
    }
  }
}
