// `npm run load`: a bounded load test of the local proxy, in this process on a loopback port with a
// fresh data directory. LOAD_TICKETS signed webhooks (default 10,000) at LOAD_CONCURRENCY requests in
// flight (default 32); then it waits (up to LOAD_DRAIN_LIMIT_S, default an hour) until the in-process
// writer has written every ticket, and checks the outbox: each source ticket exactly once. A ticket
// neither in the outbox nor still in the queue is lost. Exits 1 on any ticket refused, lost,
// duplicated or set aside as dead, 2 when the writer had not finished within the limit.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeJob } from '../../lib/sync/job-queue.ts';
import type { OutboxOperation } from '../../lib/tracker/outbox-tracker.ts';
import { plantedTickets } from '../support/tickets.ts';
import { startLocalStack } from './local-stack.ts';
import { percentile, Report } from './report.ts';

const TICKETS = Number(process.env.LOAD_TICKETS ?? 10_000);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 32);
/** How long the writer may take to drain the queue after the last 202. */
const DRAIN_LIMIT_S = Number(process.env.LOAD_DRAIN_LIMIT_S ?? 3600);

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
let queued = new Map<string, string>();
let acceptSeconds = 0;
let unfinished = false;
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
  // A job set aside as dead is never written: count those too, or the run waits out the whole limit.
  let deadSoFar = 0;
  let deadCheckedAt = 0;
  while (stack.written.size + deadSoFar < stack.queued.size && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (performance.now() - deadCheckedAt >= 1000) {
      deadSoFar = (await stack.runtime.queue.dead()).length;
      deadCheckedAt = performance.now();
    }
  }
  drainSeconds =
    (stack.written.size === stack.queued.size && stack.written.size > 0
      ? Math.max(...stack.written.values()) - began
      : performance.now() - began) / 1000;
  queued = await stillQueued();
  outbox = (
    await readFile(join(stack.runtime.dataDir, 'outbox.jsonl'), 'utf8').catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return ''; // nothing written at all: every ticket counts as lost
        throw error;
      },
    )
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxOperation);
} finally {
  clearInterval(progress);
  // Stopping the writer waits for the queue to drain: when jobs are left, leave them to the exit below.
  unfinished = stack.written.size < stack.queued.size;
  await (unfinished ? stack.discard() : stack.close());
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
const lost = ids.filter((id) => !created.has(id) && !queued.has(id)).length;
const waiting = [...queued.values()].filter((state) => state !== 'dead').length;
const dead = queued.size - waiting;
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
  waiting > 0 ? 'NOT FINISHED: the drain limit passed' : `${(TICKETS / drainSeconds).toFixed(1)} tickets/s`,
);
report.add('tickets lost (neither in the outbox nor queued)', lost, 'tickets');
report.add(
  'tickets still queued when the drain limit passed',
  waiting,
  'tickets',
  `limit ${DRAIN_LIMIT_S} s`,
);
report.add('tickets set aside as dead', dead, 'tickets');
report.add('tickets duplicated in the outbox', duplicated, 'tickets');
await report.save();

if (lost > 0 || duplicated > 0 || notRefused > 0 || dead > 0) {
  console.error(`\nFAILED: ${notRefused} refused, ${lost} lost, ${duplicated} duplicated, ${dead} dead`);
  process.exit(1);
}
if (waiting > 0) {
  console.error(
    `\nNOT FINISHED: ${waiting} tickets still queued after ${DRAIN_LIMIT_S} s (LOAD_DRAIN_LIMIT_S)`,
  );
  process.exit(2);
}
if (unfinished) {
  // The writer had not written every ticket, yet none is queued, dead or lost: it still works, so exit.
  console.error(`\nNOT FINISHED: ${stack.queued.size - stack.written.size} tickets not yet written`);
  process.exit(2);
}

/**
 * Ticket ids of the jobs left in the local queue, by state, read while the writer keeps working, so
 * that a job moving on is seen somewhere: pending before inflight (claimed by a rename), inflight
 * before dead and before pending again (a retry or a dead job is written there before it leaves
 * inflight), and the outbox after all (a written job leaves inflight after its lines are in the outbox).
 */
async function stillQueued(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const state of ['pending', 'inflight', 'dead', 'pending']) {
    const dir = join(stack.runtime.dataDir, 'queue', state);
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => undefined); // claimed meanwhile
      if (text) found.set(decodeJob((JSON.parse(text) as { body: string }).body).ticketId, state);
    }
  }
  return found;
}
