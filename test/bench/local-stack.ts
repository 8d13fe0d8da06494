// The local proxy wired as `npm start` wires it (lib/local/main.ts): the embedded runtime in a fresh
// temporary data directory, the real servicedesk webhook handler behind the local server on a
// loopback port, and the in-process Jira writer writing to the outbox. Nothing in lib/ is changed to
// time it: the bench wraps the runtime's queue to note when each job was queued, and the writer's job
// handler to note when each job was written; a logger that only counts bytes stands in for stdout.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createJobHandler } from '../../functions/jira-writer.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { startLocalServer } from '../../lib/local/server.ts';
import { type EmbeddedRuntime, openEmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { encodeJob } from '../../lib/sync/job-queue.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/webhook/signature.ts';
import { meterDynamo } from './dynamo-meter.ts';

/** A Powertools logger that counts the bytes of the JSON lines it would print, and prints nothing. */
export class CountingLogger extends Logger {
  lines = 0;
  bytes = 0;

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines++;
    this.bytes += Buffer.byteLength(JSON.stringify(log.getAttributes())) + 1;
  }
}

export interface LocalStack {
  url: string;
  runtime: EmbeddedRuntime;
  meter: ReturnType<typeof meterDynamo>;
  webhookLogs: CountingLogger;
  writerLogs: CountingLogger;
  /** performance.now() when the job of a ticket was queued (the 202 follows). */
  queued: Map<string, number>;
  /** performance.now() when the writer had written the job of a ticket to the outbox. */
  written: Map<string, number>;
  /** Sizes of the queued job bodies, as an SQS message would carry them. */
  jobBytes: number[];
  /** Called as soon as a job is queued, before the handler answers 202. */
  onQueued: ((ticketId: string) => void) | undefined;
  /** POSTs the ticket as a signed generic webhook; resolves with the status and milliseconds to the answer. */
  send(ticket: GenericTicket): Promise<{ status: number; ms: number }>;
  /** Resolves when the writer has written the ticket's job. */
  whenWritten(ticketId: string): Promise<void>;
  /** Stops the server and the writer (which first drains the queue), removes the data directory. */
  close(): Promise<void>;
  /**
   * Stops the server without waiting for the writer, which may still be working through the queue:
   * exit right after. The data directory is removed as the process exits, when nothing writes to it.
   */
  discard(): Promise<void>;
}

export async function startLocalStack(): Promise<LocalStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ticket-proxy-bench-'));
  const secret = randomBytes(32).toString('hex');
  const runtime = await openEmbeddedRuntime(
    { TICKET_PROXY_DATA_DIR: dataDir, TICKET_PROXY_WEBHOOK_SECRET: secret },
    { role: 'serve' },
  );
  const meter = meterDynamo(runtime.dynamo.client);
  const queued = new Map<string, number>();
  const written = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const jobBytes: number[] = [];
  const queue = {
    enqueue: async (job: SyncJob) => {
      await runtime.queue.enqueue(job);
      queued.set(job.ticketId, performance.now());
      jobBytes.push(Buffer.byteLength(encodeJob(job)));
      stack.onQueued?.(job.ticketId);
    },
  };
  const deps = { ...runtime, queue };
  const webhookLogs = new CountingLogger({ serviceName: 'servicedesk-webhook' });
  const writerLogs = new CountingLogger({ serviceName: 'jira-writer' });
  const writeJob = createJobHandler(() => deps, writerLogs);

  let server: Server;
  let url: string;
  try {
    ({ server, url } = await startLocalServer({
      servicedeskHandler: createServicedeskWebhookHandler(() => deps, webhookLogs),
      jiraHandler: createJiraWebhookHandler(() => deps, new Logger({ logLevel: 'SILENT' })),
      outbox: runtime.outbox,
      replies: runtime.localReplies,
      queue: runtime.queue,
      port: 0,
    }));
  } catch (error) {
    await runtime.close();
    throw error;
  }
  await runtime.queue.recover();
  runtime.queue.start(async (job) => {
    const outcome = await writeJob(job);
    written.set(job.ticketId, performance.now());
    waiting.get(job.ticketId)?.();
    return outcome;
  });

  const stack: LocalStack = {
    url,
    runtime,
    meter,
    webhookLogs,
    writerLogs,
    queued,
    written,
    jobBytes,
    onQueued: undefined,
    async send(ticket) {
      const body = Buffer.from(JSON.stringify(ticket));
      const t0 = performance.now();
      const response = await fetch(`${url}/webhooks/generic/${ticket.tenant}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(secret, body) },
        body,
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - t0 };
    },
    whenWritten(ticketId) {
      if (written.has(ticketId)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(ticketId, resolve));
    },
    async close() {
      server.close();
      server.closeAllConnections();
      await runtime.queue.stop();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
    async discard() {
      server.close();
      server.closeAllConnections();
      // No new rounds; the one under way goes on (stop() would wait for it), and would recreate
      // directories a removal now left behind.
      void runtime.queue.stop();
      process.once('exit', () => rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 }));
    },
  };
  return stack;
}
