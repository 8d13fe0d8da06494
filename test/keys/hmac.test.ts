import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from '../../lib/keys/hmac.ts';

describe('hmacSha256', () => {
  it('is createHmac, for keys shorter and longer than a block and any message', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        fc.array(fc.string({ unit: 'grapheme' })),
        (key, messages) => {
          const mac = hmacSha256(key);
          for (const message of messages) {
            expect(mac(message)).toEqual(createHmac('sha256', key).update(message).digest());
          }
        },
      ),
    );
  });

  it('gives the RFC 4231 test vector', () => {
    const key = Buffer.alloc(20, 0x0b);
    expect(hmacSha256(key)('Hi There').toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });
});
