// `npm run load`: a bounded load test of the local proxy, in this process on a loopback port with a
// fresh data directory. LOAD_TICKETS signed webhooks (default 10,000) at LOAD_CONCURRENCY requests in
// flight (default 32); then it waits until the in-process writer has written every ticket and checks
// the outbox: each source ticket exactly once. Exits 1 on any ticket refused, lost or duplicated.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OutboxOperation } from '../../lib/tracker/outbox-tracker.ts';
import { plantedTickets } from '../support/tickets.ts';
import { startLocalStack } from './local-stack.ts';
import { percentile, Report } from './report.ts';

const TICKETS = Number(process.env.LOAD_TICKETS ?? 10_000);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 32);
/** How long the writer may take to drain the queue after the last 202. */
const DRAIN_LIMIT_S = Number(process.env.LOAD_DRAIN_LIMIT_S ?? 1800);

const corpus = plantedTickets(TICKETS, 777);
const stack = await startLocalStack();
const report = new Report(
  'load',
  `ticket-proxy load test, local server in-process: ${TICKETS} signed webhooks, ${CONCURRENCY} in flight, ` +
    `Node ${process.version}`,
);
const latencies: number[] = [];
const refused = new Map<number, number>();
const progress = setInterval(() => {
  console.error(`  ${latencies.length} answered, ${stack.written.size} written`);
}, 10_000);

let outbox: OutboxOperation[] = [];
let acceptSeconds = 0;
let drainSeconds = 0;
try {
  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < corpus.length) {
        const { ticket } = corpus[next++] as (typeof corpus)[number];
        const { status, ms } = await stack.send(ticket);
        latencies.push(ms);
        if (status !== 202) refused.set(status, (refused.get(status) ?? 0) + 1);
      }
    }),
  );
  acceptSeconds = (performance.now() - began) / 1000;
  const deadline = performance.now() + DRAIN_LIMIT_S * 1000;
  while (stack.written.size < stack.queued.size && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  drainSeconds = (performance.now() - began) / 1000;
  outbox = (await readFile(join(stack.runtime.dataDir, 'outbox.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxOperation);
} finally {
  clearInterval(progress);
  await stack.close();
}

// Each source ticket exactly once: one issue created, carrying its one comment once.
const created = new Map<string, number>();
const comments = new Map<string, number>();
const issueOf = new Map<string, string>();
for (const op of outbox) {
  if (op.op === 'created') {
    created.set(op.source.ticketId, (created.get(op.source.ticketId) ?? 0) + 1);
    issueOf.set(op.issueKey, op.source.ticketId);
  }
  if (op.op === 'comment') {
    const id = issueOf.get(op.issueKey) ?? op.issueKey;
    comments.set(id, (comments.get(id) ?? 0) + 1);
  }
}
const ids = corpus.map(({ ticket }) => ticket.id);
const lost = ids.filter((id) => !created.has(id)).length;
const duplicated = ids.filter((id) => (created.get(id) ?? 0) > 1 || (comments.get(id) ?? 0) > 1).length;
const notRefused = [...refused.values()].reduce((a, b) => a + b, 0);

latencies.sort((a, b) => a - b);
report.add(
  'webhooks answered 202',
  TICKETS - notRefused,
  'tickets',
  notRefused ? `refused: ${JSON.stringify(Object.fromEntries(refused))}` : undefined,
);
report.add(
  'accept throughput (request → 202)',
  TICKETS / acceptSeconds,
  'tickets/s',
  `${CONCURRENCY} in flight`,
);
report.add('request → 202 under load, p50', percentile(latencies, 0.5), 'ms');
report.add('request → 202 under load, p99', percentile(latencies, 0.99), 'ms');
report.add(
  'end to end, first request → last ticket in the outbox',
  drainSeconds,
  's',
  `${(TICKETS / drainSeconds).toFixed(1)} tickets/s`,
);
report.add('tickets lost (not in the outbox)', lost, 'tickets');
report.add('tickets duplicated in the outbox', duplicated, 'tickets');
await report.save();

if (lost > 0 || duplicated > 0 || notRefused > 0) {
  console.error(`\nFAILED: ${notRefused} refused, ${lost} lost, ${duplicated} duplicated`);
  process.exit(1);
}
