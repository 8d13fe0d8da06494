import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { VaultTable } from '../../lib/vault/vault-table.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import type { FakeIssue, FakeJira } from './fake-jira.ts';
import type { PlantedTicket } from './tickets.ts';

/** A generic webhook as API Gateway hands it to the function, signed now (or with the given header). */
export function signedEvent(
  secret: string,
  ticket: { tenant: string },
  signature?: string,
): APIGatewayProxyEventV2 & { signature: string } {
  const body = Buffer.from(JSON.stringify(ticket));
  const header = signature ?? signWebhook(secret, body);
  return {
    signature: header,
    pathParameters: { tenant: ticket.tenant, servicedesk: 'generic' },
    headers: { 'content-type': 'application/json', 'x-ticket-proxy-signature': header },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2 & { signature: string };
}

/**
 * The personal values of a planted ticket: those it lists, each CPR number as ten digits, and the
 * phone number its description holds (as written, and as bare digits).
 */
export function personalValues(ticket: PlantedTicket): string[] {
  const phone = /ring på ([+\d ]+)\./.exec(ticket.ticket.description ?? '')?.[1];
  return [
    ...ticket.planted,
    ...ticket.cprDigits,
    ...(phone ? [phone, phone.replace(/\D/g, '').replace(/^45(?=\d{8}$)/, '')] : []),
  ];
}

/** Every personal value of the tickets found in `text`: what a leak check expects to be empty. */
export function plantedIn(text: string, tickets: readonly PlantedTicket[]): string[] {
  const values = tickets.flatMap(personalValues);
  return [...new Set(values.filter((v) => text.includes(v)))];
}

export type VaultItem = Record<string, AttributeValue>;

export async function vaultItems(
  client: DynamoDBClient,
  table: string = VaultTable.defaultName,
): Promise<VaultItem[]> {
  const items: VaultItem[] = [];
  let start: VaultItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const key = (item: VaultItem) => `${item.pk?.S}|${item.sk?.S}`;

/**
 * What the vault promises however a write of it was interrupted (lib/vault/dynamo-token-vault.ts
 * writes the ticket and the references both ways first, the tokens last): every token item is
 * referenced by a ticket that is recorded and references it back. A reference without its token is
 * allowed (an interrupted write; nothing to read there). Returns the broken promises, empty if none.
 */
export function vaultViolations(items: readonly VaultItem[]): string[] {
  const present = new Set(items.map(key));
  const violations: string[] = [];
  for (const item of items) {
    const pk = item.pk?.S ?? '';
    if (!pk.startsWith('TOKEN#') || item.sk?.S !== 'TOKEN') continue;
    const [, tenant, token] = /^TOKEN#([^#]+)#(.+)$/.exec(pk) ?? [];
    const tickets = items
      .filter((i) => i.pk?.S === pk && i.sk?.S?.startsWith('REF#'))
      .map((i) => (i.sk?.S ?? '').slice('REF#'.length));
    const backed = tickets.filter(
      (ticketId) =>
        present.has(`TICKET#${tenant}#${ticketId}|TICKET`) &&
        present.has(`TICKET#${tenant}#${ticketId}|REF#${token}`),
    );
    if (backed.length === 0)
      violations.push(`token ${token} of ${tenant} has no recorded ticket referencing it`);
  }
  return violations;
}

/** The tokens a ticket references, and which of them have their token item. */
export function ticketTokens(items: readonly VaultItem[], tenant: string, ticketId: string) {
  const present = new Set(items.map(key));
  const refs = items
    .filter((i) => i.pk?.S === `TICKET#${tenant}#${ticketId}` && i.sk?.S?.startsWith('REF#'))
    .map((i) => (i.sk?.S ?? '').slice('REF#'.length));
  return {
    recorded: present.has(`TICKET#${tenant}#${ticketId}|TICKET`),
    refs,
    stored: refs.filter((t) => present.has(`TOKEN#${tenant}#${t}|TOKEN`)),
  };
}

/** The issues whose `ticket-proxy` property names the ticket. */
export function issuesOf(jira: FakeJira, tenant: string, ticketId: string): FakeIssue[] {
  return [...jira.issues.values()].filter((i) => {
    const kept = i.properties.get('ticket-proxy') as { tenant?: string; ticketId?: string } | undefined;
    return kept?.tenant === tenant && kept.ticketId === ticketId;
  });
}

/** The proxy's bookkeeping ids of an issue's comments, in order. */
export const commentIds = (issue: FakeIssue) =>
  issue.comments.map(
    (c) => (c.properties.get('ticket-proxy') as { sourceId?: string } | undefined)?.sourceId,
  );

export interface SqsDelivery {
  /** Invocations of the writer. */
  invocations: number;
  /** Records that reached the dead-letter queue (received `maxReceiveCount` times without success). */
  dead: SQSRecord[];
}

/**
 * What SQS does with a FIFO queue's messages and a Lambda consumer with ReportBatchItemFailures: hand
 * them over in a batch; messages the function reports failed (or all, if it throws) come back after
 * the visibility timeout (here at once) with a higher receive count, until `maxReceiveCount` sends
 * them to the dead-letter queue (infra/constructs/sync-queue.ts: 5).
 */
export async function deliverUntilSettled(
  writer: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
  records: SQSRecord[],
  maxReceiveCount = 5,
): Promise<SqsDelivery> {
  let waiting = records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '1' } }));
  const dead: SQSRecord[] = [];
  let invocations = 0;
  while (waiting.length > 0) {
    invocations++;
    let failed: Set<string>;
    try {
      const result = await writer({ Records: waiting }, {} as Context);
      failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(waiting.map((r) => r.messageId));
    }
    const again = waiting.filter((r) => failed.has(r.messageId));
    dead.push(...again.filter((r) => Number(r.attributes.ApproximateReceiveCount) >= maxReceiveCount));
    waiting = again
      .filter((r) => Number(r.attributes.ApproximateReceiveCount) < maxReceiveCount)
      .map((r) => ({
        ...r,
        attributes: {
          ...r.attributes,
          ApproximateReceiveCount: String(Number(r.attributes.ApproximateReceiveCount) + 1),
        },
      }));
  }
  return { invocations, dead };
}
