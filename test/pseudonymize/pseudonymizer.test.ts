import { createHmac } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import type { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import type { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { formatToken, TOKEN_PATTERN, TokenKind } from '../../lib/pseudonymize/token.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';
import { embeddedPseudonymizer, ticketRef } from '../support/embedded.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let dynamo: EmbeddedDynamo;
let pseudonymizer: Pseudonymizer;
let keys: TenantKeys;

beforeAll(async () => {
  ({ dynamo, pseudonymizer, keys } = await embeddedPseudonymizer(await tempDir()));
});
afterAll(() => dynamo.close());

describe('Pseudonymizer', () => {
  it('derives a token as it always has: HMAC-SHA-256 of kind and normalized value under the tenant key', async () => {
    // Tokens already in Jira must keep meaning the same value: the derivation may not change.
    const [token] = await pseudonymizer.tokenize(ticketRef(), [
      { kind: TokenKind.NAME, value: ' Karen  Blixen' },
    ]);
    const key = await keys.tokenKey('ballerup');
    const digest = createHmac('sha256', key).update('NAME\u0000karen blixen').digest();
    expect(token).toBe(formatToken(TokenKind.NAME, digest));
    expect(await pseudonymizer.tokenOf('ballerup', TokenKind.NAME, 'KAREN BLIXEN')).toBe(token);
  });

  it('gives the same value the same token in one tenant, whatever its spelling', async () => {
    const tokens = await pseudonymizer.tokenize(ticketRef(), [
      { kind: TokenKind.CPR, value: '010190-1234' },
      { kind: TokenKind.CPR, value: '0101901234' },
      { kind: TokenKind.EMAIL, value: 'Jens@Example.dk' },
      { kind: TokenKind.EMAIL, value: 'jens@example.dk' },
    ]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).toBe(tokens[3]);
    expect(tokens[0]).toMatch(/^CPR_[A-Z2-7]{16}$/);
    expect(tokens[2]).toMatch(/^EMAIL_[A-Z2-7]{16}$/);
    expect(tokens.join(' ').match(TOKEN_PATTERN)).toHaveLength(4);
  });

  it('gives the same CPR number in two tickets of one tenant one token, and in two tenants two', async () => {
    const value = [{ kind: TokenKind.CPR, value: '0202855678' }];
    const [a] = await pseudonymizer.tokenize(ticketRef('SD-A'), value);
    const [b] = await pseudonymizer.tokenize(ticketRef('SD-B'), value);
    const [c] = await pseudonymizer.tokenize(ticketRef('SD-A', 'egedal'), value);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('stores values encrypted and reveals them only for their own tenant', async () => {
    const [token] = await pseudonymizer.tokenize(ticketRef(), [
      { kind: TokenKind.NAME, value: 'Jens Hansen' },
    ]);
    expect(await storedText(dynamo.client)).not.toContain('Jens');
    expect(await pseudonymizer.reveal('ballerup', token as string)).toEqual({
      kind: 'NAME',
      value: 'Jens Hansen',
    });
    expect(await pseudonymizer.reveal('egedal', token as string)).toBeUndefined();
  });

  it('never stores SECRET values', async () => {
    const [token] = await pseudonymizer.tokenize(ticketRef(), [
      { kind: TokenKind.SECRET, value: 'hunter2hunter2' },
    ]);
    expect(token).toMatch(/^SECRET_/);
    expect(await storedText(dynamo.client)).not.toContain((token as string).slice(7));
    expect(await pseudonymizer.reveal('ballerup', token as string)).toBeUndefined();
  });

  it('reveals nothing once the ticket’s retention has ended', async () => {
    const expired = { ...ticketRef('SD-OLD'), expiresAt: new Date(Date.now() - 1000) };
    const [token] = await pseudonymizer.tokenize(expired, [{ kind: TokenKind.CPR, value: '0303033333' }]);
    expect(await pseudonymizer.reveal('ballerup', token as string)).toBeUndefined();
  });

  it('resolves a token collision: the later value gets another token, stably, and neither is merged', async () => {
    const value = [{ kind: TokenKind.CPR, value: '0404044444' }];
    const [first] = await pseudonymizer.tokenize(ticketRef('SD-C1'), value);
    // Make the stored token stand for another value, as a collision would.
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: VaultTable.defaultName,
        Key: { pk: { S: `TOKEN#ballerup#${first}` }, sk: { S: 'TOKEN' } },
        UpdateExpression: 'SET fp = :other',
        ExpressionAttributeValues: { ':other': { B: new Uint8Array(32) } },
      }),
    );
    const [second] = await pseudonymizer.tokenize(ticketRef('SD-C2'), value);
    const [third] = await pseudonymizer.tokenize(ticketRef('SD-C3'), value);
    expect(second).toMatch(/^CPR_[A-Z2-7]{16}$/);
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(await pseudonymizer.reveal('ballerup', second as string)).toEqual({
      kind: 'CPR',
      value: '0404044444',
    });
  });
});
