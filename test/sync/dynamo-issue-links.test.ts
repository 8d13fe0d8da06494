import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { DynamoIssueLinks } from '../../lib/sync/dynamo-issue-links.ts';

let dynamo: EmbeddedDynamo;
let links: DynamoIssueLinks;
const later = new Date(Date.now() + 86_400_000);

beforeAll(async () => {
  dynamo = await openEmbeddedDynamo();
  links = new DynamoIssueLinks(dynamo.client);
});
afterAll(() => dynamo.close());

describe('DynamoIssueLinks', () => {
  it('finds the ticket an issue mirrors, and renews the link', async () => {
    await links.link('DEV-1', { tenant: 'ballerup', ticketId: 'SD-1' }, later);
    expect(await links.ticketOf('DEV-1')).toEqual({
      tenant: 'ballerup',
      ticketId: 'SD-1',
      expiresAt: new Date(Math.ceil(later.getTime() / 1000) * 1000),
    });
    expect(await links.ticketOf('DEV-2')).toBeUndefined();
  });

  it('forgets a link once the ticket has expired, before TTL gets to it', async () => {
    await links.link('DEV-3', { tenant: 'ballerup', ticketId: 'SD-3' }, new Date(Date.now() - 1000));
    expect(await links.ticketOf('DEV-3')).toBeUndefined();
  });

  it('remembers which replies the servicedesk got', async () => {
    expect(await links.replied('DEV-1', 'comment:1')).toBe(false);
    await links.markReplied('DEV-1', 'comment:1', later);
    expect(await links.replied('DEV-1', 'comment:1')).toBe(true);
    expect(await links.replied('DEV-1', 'comment:2')).toBe(false);
  });

  it('turns a store failure into VAULT_UNAVAILABLE', async () => {
    const broken = new DynamoIssueLinks(dynamo.client, 'no-such-table');
    await expect(broken.ticketOf('DEV-1')).rejects.toMatchObject({
      code: 'VAULT_UNAVAILABLE',
      retryable: true,
    });
  });
});
