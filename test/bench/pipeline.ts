// `npm run bench`: the local path a ticket takes, warm, one ticket at a time: a signed webhook through
// the real servicedesk handler behind the local server (request → 202: the job is queued when 202 is
// answered), then the in-process Jira writer (queued → written to the outbox). Also what each part
// asks of DynamoDB per ticket, the job's size, the log bytes and the vault's stored bytes: the
// inputs of the cost model. Not a test: no thresholds.
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';
import { plantedTickets } from '../support/tickets.ts';
import { type DynamoCounts, perTicket, zero } from './dynamo-meter.ts';
import { startLocalStack } from './local-stack.ts';
import { percentile, Report } from './report.ts';

const WARMUP = Number(process.env.PIPELINE_WARMUP ?? 20);
const TICKETS = Number(process.env.PIPELINE_TICKETS ?? 300);
const corpus = plantedTickets(WARMUP + TICKETS, 4242);
const stack = await startLocalStack();
const report = new Report(
  'pipeline',
  `ticket-proxy local path, warm, one ticket at a time: ${TICKETS} generated tickets after ${WARMUP} ` +
    `to warm up, Node ${process.version}`,
);

const accepted: number[] = [];
const delivered: number[] = [];
const webhook = zero();
const writer = zero();
let webhookPart = zero();
// The handler answers only after the job is queued, and the writer starts only then: what was asked
// of DynamoDB until the job was queued is the webhook's, the rest the writer's.
stack.onQueued = () => {
  webhookPart = stack.meter.take();
};
let stored: { bytes: number; items: number };
try {
  for (const { ticket } of corpus.slice(0, WARMUP)) await deliver(ticket);
  for (const logs of [stack.webhookLogs, stack.writerLogs]) logs.bytes = logs.lines = 0;
  for (const { ticket } of corpus.slice(WARMUP)) {
    stack.meter.take();
    const ms = await deliver(ticket);
    add(webhook, webhookPart);
    add(writer, stack.meter.take());
    accepted.push(ms);
    delivered.push((stack.written.get(ticket.id) ?? 0) - (stack.queued.get(ticket.id) ?? 0));
  }
  stored = await storedBytes();
} finally {
  await stack.close();
}

accepted.sort((a, b) => a - b);
delivered.sort((a, b) => a - b);
report.add(
  'request → 202 (sanitized and queued), p50',
  percentile(accepted, 0.5),
  'ms',
  'over HTTP, loopback',
);
report.add('request → 202, p99', percentile(accepted, 0.99), 'ms');
report.add('queued → written to the outbox, p50', percentile(delivered, 0.5), 'ms', 'in-process writer');
report.add('queued → written to the outbox, p99', percentile(delivered, 0.99), 'ms');
for (const [part, counts] of [
  ['webhook', perTicket(webhook, TICKETS)],
  ['writer', perTicket(writer, TICKETS)],
] as const) {
  report.add(
    `${part}: DynamoDB reads per ticket`,
    counts.readRequests,
    'requests',
    `${counts.readItems.toFixed(2)} items`,
  );
  report.add(`${part}: DynamoDB read units per ticket`, counts.readUnits, 'RRU');
  report.add(
    `${part}: DynamoDB writes per ticket`,
    counts.writeRequests,
    'requests',
    `${counts.writeItems.toFixed(2)} items`,
  );
  report.add(`${part}: DynamoDB write units per ticket`, counts.writeUnits, 'WRU');
}
const jobs = stack.jobBytes.slice(WARMUP).sort((a, b) => a - b);
report.add(
  'queued job, mean size',
  jobs.reduce((a, b) => a + b, 0) / jobs.length,
  'bytes',
  `largest ${jobs.at(-1)} bytes`,
);
report.add(
  'webhook: log bytes per ticket',
  stack.webhookLogs.bytes / TICKETS,
  'bytes',
  `${(stack.webhookLogs.lines / TICKETS).toFixed(1)} lines`,
);
report.add(
  'writer: log bytes per ticket',
  stack.writerLogs.bytes / TICKETS,
  'bytes',
  `${(stack.writerLogs.lines / TICKETS).toFixed(1)} lines`,
);
report.add(
  'vault: stored bytes per ticket',
  stored.bytes / (WARMUP + TICKETS),
  'bytes',
  `${(stored.items / (WARMUP + TICKETS)).toFixed(1)} items, 100 bytes overhead each included`,
);
await report.save();

async function storedBytes(): Promise<{ bytes: number; items: number }> {
  let bytes = 0;
  let items = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.runtime.dynamo.client.send(
      new ScanCommand({ TableName: VaultTable.defaultName, ExclusiveStartKey: start as never }),
    );
    for (const item of page.Items ?? []) {
      items++;
      bytes +=
        100 +
        Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + sizeOf(value), 0);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { bytes, items };
}

/** An attribute value's size as DynamoDB counts it (a number: about a byte per two digits, plus one). */
function sizeOf(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/\D/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  return Buffer.byteLength(JSON.stringify(value)); // no vault item has other types: a rough upper bound
}

/** Sends the ticket, waits until the writer has written it; returns the milliseconds to the 202. */
async function deliver(ticket: GenericTicket): Promise<number> {
  const { status, ms } = await stack.send(ticket);
  if (status !== 202) throw new Error(`ticket ${ticket.id} was answered ${status}`);
  await stack.whenWritten(ticket.id);
  return ms;
}

function add(total: DynamoCounts, part: DynamoCounts): void {
  for (const key of Object.keys(total) as (keyof DynamoCounts)[]) total[key] += part[key];
}
