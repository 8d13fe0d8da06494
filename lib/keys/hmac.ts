import { createHash } from 'node:crypto';

const BLOCK = 64;

/**
 * HMAC-SHA-256 (RFC 2104) under one key, for many short messages: the key's two padded blocks are
 * hashed once and the hash states copied per message. `createHmac` sets the key up again on every
 * call, which cost four times the hashing of a token's value.
 */
export function hmacSha256(key: Uint8Array): (message: string) => Buffer {
  const block = key.length > BLOCK ? createHash('sha256').update(key).digest() : key;
  const padded = (byte: number) => {
    const pad = Buffer.alloc(BLOCK, byte);
    for (const [i, b] of block.entries()) pad[i] = byte ^ b;
    return pad;
  };
  const innerPad = padded(0x36);
  const outerPad = padded(0x5c);
  const inner = createHash('sha256').update(innerPad);
  const outer = createHash('sha256').update(outerPad);
  // The pads are the key in another form: not left in memory once hashed.
  innerPad.fill(0);
  outerPad.fill(0);
  return (message) => outer.copy().update(inner.copy().update(message).digest()).digest();
}
