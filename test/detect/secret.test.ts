import { describe, expect, it } from 'vitest';
import { secretDetector } from '../../lib/detect/secret.ts';

const found = (text: string) => [...secretDetector.detect(text)].map((s) => text.slice(s.start, s.end));
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ 'dk.cpr': '0101901234', email: 'a@b.dk' })}.c2lnbmF0dXJl`;
const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';

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
    ['a Danish password label', 'Hans adgangskode er Sommer2026!', 'Sommer2026!'],
    ['a password field', 'password="hunter2!"', 'hunter2!'],
    ['a PIN', 'pinkode: 4711', '4711'],
    ['an API key setting', 'api_key=sk_live_51HqLy2', 'sk_live_51HqLy2'],
    ['an AWS access key', 'nøgle AKIAIOSFODNN7EXAMPLE i loggen', 'AKIAIOSFODNN7EXAMPLE'],
    ['a GitHub token', `ghp_${'a'.repeat(36)}`, `ghp_${'a'.repeat(36)}`],
    ['a Slack token', 'xoxb-1234567890-abcdef', 'xoxb-1234567890-abcdef'],
    ['an Atlassian API token', `ATATT3xFfGF0${'x'.repeat(20)}`, `ATATT3xFfGF0${'x'.repeat(20)}`],
    ['a private key', `nøgle:\n${pem}\nslut`, pem],
    ['a password in a connection URL', 'postgres://nexus:Hemmelig42@db.internal/borgere', 'Hemmelig42'],
    [
      'a SAS signature',
      'besoeg.csv?sv=2022-11-02&sp=rwc&sig=k3Jd8R2xQ9vT4mNz7wL1pC5y',
      'k3Jd8R2xQ9vT4mNz7wL1pC5y',
    ],
  ])('finds %s', (_case, text, secret) => {
    expect(found(text)).toContain(secret);
  });

  it('reads a long line after a credential word in linear time', () => {
    // Nested repetition once made this exponential: 30 `til`s took 9.5 s.
    expect(found(`password${' til'.repeat(2000)} x`)).toEqual([]);
  });

  it.each([
    ['a bearer of news', 'Bearer of bad news'],
    ['half a JWT', 'eyJ alone'],
    ['a version', 'version 1.2.3'],
    ['an error code', 'fejlkode: 500'],
    ['a URL without a password', 'https://nexus.example.dk/borger?id=7'],
    ['the word password in prose', 'Borgeren har glemt sit password og kan ikke logge ind'],
    ['the Danish word sig before a colon', 'Borgeren henvendte sig: husker ikke sin kode'],
    ['the Danish word sig before a value', 'Sagen drejer sig 4711 gange om det samme'],
  ])('ignores %s', (_case, text) => {
    expect(found(text)).toEqual([]);
  });
});
