/**
 * What a key is for. The purpose is bound into every wrapped key (KMS encryption context locally as
 * additional data), so a key policy can let the sanitizer unwrap token keys but not value keys.
 */
export const KeyPurpose = {
  TOKEN_DERIVATION: 'token-derivation',
  VALUE_ENCRYPTION: 'value-encryption',
} as const;
export type KeyPurpose = (typeof KeyPurpose)[keyof typeof KeyPurpose];

export interface KeyContext {
  purpose: KeyPurpose;
  tenant: string;
}

/** A fresh 256-bit key and the same key wrapped under the master key. */
export interface DataKey {
  plaintext: Uint8Array;
  wrapped: Uint8Array;
}

/**
 * The master key that protects all other key material (port). AWS KMS in the cloud,
 * a local key file on the embedded default. The master key itself never leaves it.
 */
export interface KeyRing {
  generateDataKey(context: KeyContext): Promise<DataKey>;
  /** @throws DependencyError KEY_UNAVAILABLE when the key cannot be unwrapped (wrong context, tampered, down). */
  decryptDataKey(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array>;
}

/** The canonical bytes of a context, for use as additional authenticated data. */
export function contextBytes(context: KeyContext): Uint8Array {
  return new TextEncoder().encode(`ticket-proxy\u0000${context.purpose}\u0000${context.tenant}`);
}
