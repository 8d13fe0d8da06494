import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DependencyError, ErrorCode } from '../errors.ts';
import { epochSeconds, TTL_GRACE_SECONDS, VaultTable } from '../vault/vault-table.ts';
import type { IssueLinks, LinkedTicket } from './issue-links.ts';

/**
 * Issue links in the vault table, beside the tickets they belong to:
 * `ISSUE#issueKey`/`ISSUE` holds tenant and ticket id, `ISSUE#issueKey`/`REPLY#sourceId` marks a reply
 * the servicedesk got. Neither holds personal data; both expire with the ticket.
 */
export class DynamoIssueLinks implements IssueLinks {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string = VaultTable.defaultName) {
    this.#client = client;
    this.#table = tableName;
  }

  link(issueKey: string, ticket: LinkedTicket, expiresAt: Date): Promise<void> {
    return this.#guard('link an issue', async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: { S: `ISSUE#${issueKey}` },
            sk: { S: 'ISSUE' },
            tenant: { S: ticket.tenant },
            ticketId: { S: ticket.ticketId },
            ...stamp(expiresAt),
          },
        }),
      );
    });
  }

  ticketOf(issueKey: string): Promise<(LinkedTicket & { expiresAt: Date }) | undefined> {
    return this.#guard('read an issue link', async () => {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: { S: `ISSUE#${issueKey}` }, sk: { S: 'ISSUE' } },
          ConsistentRead: true,
        }),
      );
      const tenant = item?.tenant?.S;
      const ticketId = item?.ticketId?.S;
      const expiresAt = Number(item?.expiresAt?.N ?? 0);
      if (!tenant || !ticketId || expiresAt <= epochSeconds(new Date())) return undefined;
      return { tenant, ticketId, expiresAt: new Date(expiresAt * 1000) };
    });
  }

  replied(issueKey: string, sourceId: string): Promise<boolean> {
    return this.#guard('read a reply mark', async () => {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: { S: `ISSUE#${issueKey}` }, sk: { S: `REPLY#${sourceId}` } },
          ConsistentRead: true,
        }),
      );
      return item !== undefined;
    });
  }

  markReplied(issueKey: string, sourceId: string, expiresAt: Date): Promise<void> {
    return this.#guard('mark a reply', async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: { pk: { S: `ISSUE#${issueKey}` }, sk: { S: `REPLY#${sourceId}` }, ...stamp(expiresAt) },
        }),
      );
    });
  }

  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, `vault could not ${what}`, error);
    }
  }
}

const stamp = (expiresAt: Date) => ({
  expiresAt: { N: String(epochSeconds(expiresAt)) },
  ttl: { N: String(epochSeconds(expiresAt) + TTL_GRACE_SECONDS) },
});
