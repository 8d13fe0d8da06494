import { describe, expect, it } from 'vitest';
import { secretDetector } from '../../lib/detect/secret.ts';

const found = (text: string) => [...secretDetector.detect(text)].map((s) => text.slice(s.start, s.end));
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ 'dk.cpr': '0101901234', email: 'a@b.dk' })}.c2lnbmF0dXJl`;

describe('secret detector', () => {
  it.each([
    ['a JWT on its own', `token=${jwt}`, jwt],
    ['a JWT in a header line', `Authorization: Bearer ${jwt}`, jwt],
    ['an opaque bearer token', 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4', '9f8e7d6c5b4a39281706f5e4'],
    [
      'basic credentials',
      'authorization: basic dXNlcjpodW50ZXIyaHVudGVyMg==',
      'dXNlcjpodW50ZXIyaHVudGVyMg==',
    ],
  ])('finds %s', (_case, text, secret) => {
    expect(found(text)).toContain(secret);
  });

  it.each([['Bearer of bad news'], ['eyJ alone'], ['version 1.2.3']])('ignores %j', (text) => {
    expect(found(text)).toEqual([]);
  });
});
