import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import type { OutboxIssue } from '../../lib/tracker/outbox-tracker.ts';
import { signHubSignature } from '../../lib/webhook/hub-signature.ts';
import { SHARED_SECRET_HEADER } from '../../lib/webhook/shared-secret.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import {
  signZendeskWebhook,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../../lib/webhook/zendesk-signature.ts';
import {
  CANARY_TENANTS,
  canaryDeliveries,
  type Delivery,
  VALUE_KINDS,
  type ValueKind,
} from './canary-tickets.ts';
import { FakeJira } from './fake-jira.ts';
import {
  allTablesText,
  filesText,
  type LeakHit,
  type PlaceText,
  PlantedIndex,
  type Searched,
} from './leak-search.ts';
import { type RunningServer, startServer } from './processes.ts';

// The leak canary: generated tickets through the whole local pipeline (`npm start`'s own entry point
// as a child process, debug logging on), first to a loopback Jira through jira.js, then to the local
// outbox, with developers' replies back through the Jira webhook; then every byte that left the
// proxy and every stored byte is searched for every planted value.

export interface CanaryOptions {
  /** Tickets (first events); about one in ten gets a second event, one in twenty is a bad delivery. */
  tickets: number;
  dataDir: string;
  seed?: number;
  /** Webhooks in flight at once. @default 4 */
  concurrency?: number;
  /** Progress lines (counts and times only). */
  progress?: (line: string) => void;
}

export interface CanaryReport {
  tickets: number;
  updates: number;
  bad: number;
  accepted: number;
  refused: number;
  jiraIssues: number;
  outboxIssues: number;
  deadJobs: number;
  replies: number;
  /** Distinct planted values, by kind. */
  planted: Record<ValueKind, number>;
  searched: Searched[];
  /** Places excluded from the search on purpose, and why. */
  excluded: string[];
  hits: LeakHit[];
  /** Answers other than the one expected, by delivery: not leaks, but the run did not go as planned. */
  unexpected: string[];
  controls: {
    /** Planted values the search did not find in what was sent (must be 0: else the search is blind). */
    missingFromInput: Record<ValueKind, number>;
    /** Planted values found in the stand-in servicedesk's replies, where write-back restores them on purpose. */
    foundInReplies: Record<ValueKind, number>;
    /** JSON log lines the server wrote. */
    logLines: number;
  };
  seconds: Record<string, number>;
}

const SECRET = 'leak-canary-webhook-secret-0123';
const JIRA_SECRET = 'leak-canary-jira-secret-0123456';
const WRONG_SECRET = 'not-the-tenant-secret-0123456789';
const TOKEN = /\b[A-Z]{2,10}_[A-Z2-7]{16}\b/g;
const credentials = { email: 'bot@example.invalid', apiToken: 'jira-api-token-canary' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Exchange {
  status: number;
  body: string;
}

function headersFor(d: Delivery): Record<string, string> {
  const secret = d.wrongSecret ? WRONG_SECRET : SECRET;
  switch (d.adapter) {
    case 'generic':
      return { 'x-ticket-proxy-signature': signWebhook(secret, d.body) };
    case 'jsm':
      return { 'x-hub-signature': signHubSignature(secret, d.body) };
    case 'zendesk': {
      const signed = signZendeskWebhook(secret, d.body);
      return { [ZENDESK_SIGNATURE_HEADER]: signed.signature, [ZENDESK_TIMESTAMP_HEADER]: signed.timestamp };
    }
    case 'mapped':
      return { [SHARED_SECRET_HEADER]: secret };
  }
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function runCanary(options: CanaryOptions): Promise<CanaryReport> {
  const progress = options.progress ?? (() => undefined);
  const concurrency = options.concurrency ?? 4;
  const { dataDir } = options;
  const seconds: Record<string, number> = {};
  const began = performance.now();
  const { first, updates } = canaryDeliveries(options.tickets, options.seed ?? 1);
  const index = new PlantedIndex();
  for (const d of [...first, ...updates]) index.add(`${d.tenant}/${d.ticketId}`, d.planted);

  await writeFile(join(dataDir, 'tenants.json'), JSON.stringify(CANARY_TENANTS));
  const baseEnv: NodeJS.ProcessEnv = {
    TICKET_PROXY_DATA_DIR: dataDir,
    TICKET_PROXY_WEBHOOK_SECRET: SECRET,
    TICKET_PROXY_TENANTS: join(dataDir, 'tenants.json'),
    JIRA_WEBHOOK_SECRET: JIRA_SECRET,
    // Debug logging, and the Powertools switch that logs whole events where a handler lets it.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  };
  const jira = await new FakeJira({ credentials }).start();
  const exchanges: Exchange[] = [];
  const unexpected: string[] = [];
  const queueSeen = new Map<string, string>();
  const logs: string[] = [];
  let accepted = 0;
  let refused = 0;
  let replies = 0;
  let deadJobs = 0;
  let outboxIssues = 0;

  const sampleQueue = async () => {
    for (const dir of ['pending', 'inflight', 'dead']) {
      for (const name of await readdir(join(dataDir, 'queue', dir)).catch(() => [] as string[])) {
        const key = `${dir}/${name}`;
        if (queueSeen.has(key)) continue;
        // The worker may take a job between the listing and the read.
        const text = await readFile(join(dataDir, 'queue', dir, name), 'utf8').catch(() => undefined);
        if (text !== undefined) queueSeen.set(key, text);
      }
    }
  };
  const queueBusy = async () => {
    let files = 0;
    for (const dir of ['pending', 'inflight'])
      files += (await readdir(join(dataDir, 'queue', dir)).catch(() => [])).length;
    return files > 0;
  };

  const phase = async (name: 'jira' | 'outbox', tickets: Delivery[], later: Delivery[]) => {
    const t0 = performance.now();
    const server: RunningServer = await startServer({
      ...baseEnv,
      ...(name === 'jira' && {
        JIRA_BASE_URL: jira.url,
        JIRA_EMAIL: credentials.email,
        JIRA_API_TOKEN: credentials.apiToken,
        JIRA_PROJECT_KEY: 'DEV',
      }),
    });
    /** A request to the server; its answer is kept for the search unless it is a repeated poll. */
    const call = async (path: string, init?: RequestInit, keep = true): Promise<Exchange> => {
      const response = await fetch(`${server.url}${path}`, init);
      const exchange = { status: response.status, body: await response.text() };
      if (keep) exchanges.push(exchange);
      return exchange;
    };
    try {
      if (name === 'jira') {
        // A few of Jira's failures on the way: two tickets refused for good (to the dead-letter
        // queue), and answers that are retried.
        for (let i = 0; i < 2; i++) {
          jira.failures.push({
            status: 400,
            body: { errorMessages: [], errors: { customfield_10050: 'Field cannot be set.' } },
            match: /^POST \/rest\/api\/3\/issue$/,
          });
        }
        jira.failures.push(
          { status: 503, body: { errorMessages: ['Service unavailable'] }, match: /\/comment$/ },
          { status: 429, body: {}, headers: { 'retry-after': '1' }, match: /\/properties\// },
        );
      }
      const send = async (d: Delivery) => {
        const { status, body } = await call(`/webhooks/${d.adapter}/${d.tenant}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headersFor(d) },
          body: d.body,
        });
        if (status === 202) accepted++;
        else refused++;
        if (status !== d.expect) {
          unexpected.push(
            `${d.adapter} ${d.ticketId}${d.flaw ? ` (${d.flaw})` : ''}: ${status}, expected ${d.expect}: ${body.slice(0, 200)}`,
          );
        }
      };
      // Job files are read while they wait, too: the worker takes most of them within milliseconds.
      let sending = true;
      const sampling = (async () => {
        while (sending) {
          await sampleQueue();
          await sleep(100);
        }
      })();
      await pool(tickets, concurrency, send);
      await pool(later, concurrency, send);
      sending = false;
      await sampling;
      const sentAt = performance.now();
      progress(
        `${name}: ${tickets.length + later.length} webhooks sent in ${((sentAt - t0) / 1000).toFixed(1)} s`,
      );

      // Wait until every accepted ticket is written (or set aside in the dead-letter queue).
      const expected = new Set(
        tickets.filter((d) => d.expect === 202).map((d) => `${d.tenant}/${d.ticketId}`),
      );
      /** Each issue's key, and its summary and description as developers see them (with tokens). */
      const issues = new Map<string, { key: string; summary: string }>();
      let dead: { tenant: string; ticketId: string }[] = [];
      const deadline = Date.now() + 60_000 + 200 * (tickets.length + later.length);
      for (;;) {
        await sampleQueue();
        const busy = await queueBusy();
        if (!busy) {
          issues.clear();
          if (name === 'jira') {
            for (const issue of jira.issues.values()) {
              const source = issue.properties.get('ticket-proxy') as
                | { tenant?: string; ticketId?: string }
                | undefined;
              if (source)
                issues.set(`${source.tenant}/${source.ticketId}`, {
                  key: issue.key,
                  summary: `${issue.fields.summary} ${JSON.stringify(issue.fields.description)}`,
                });
            }
          } else {
            const outbox = JSON.parse((await call('/outbox', undefined, false)).body) as OutboxIssue[];
            for (const issue of outbox)
              issues.set(`${issue.source.tenant}/${issue.source.ticketId}`, {
                key: issue.issueKey,
                summary: `${issue.summary} ${JSON.stringify(issue.description)}`,
              });
          }
          dead = (JSON.parse((await call('/queue', undefined, false)).body) as { dead: typeof dead }).dead;
          const done = [...expected].every(
            (t) => issues.has(t) || dead.some((d) => `${d.tenant}/${d.ticketId}` === t),
          );
          if (done) break;
        }
        if (Date.now() > deadline) {
          unexpected.push(`${name}: not every ticket was written in time`);
          break;
        }
        await sleep(250);
      }
      // The answers developers and operators would read, once, for the search.
      if (name === 'outbox') await call('/outbox');
      await call('/queue');
      if (name === 'outbox') outboxIssues = issues.size;
      deadJobs = dead.length;
      const writtenAt = performance.now();
      progress(
        `${name}: ${issues.size} issues, ${dead.length} dead jobs, written ${((writtenAt - sentAt) / 1000).toFixed(1)} s after the last webhook`,
      );

      // Developers reply in Jira: a comment with the issue's tokens, and now and then a status change.
      let n = 0;
      await pool([...issues.values()], concurrency, async ({ key, summary }) => {
        const m = ++n;
        // Tokens of the summary and description: CPR numbers, names, e-mail addresses, phone numbers.
        const tokens = [...new Set(summary.match(TOKEN) ?? [])].slice(0, 8);
        const developer = { accountId: '712020:developer', displayName: 'Udvikler' };
        const events: object[] = [
          {
            timestamp: Date.now(),
            webhookEvent: 'comment_created',
            issue: { key },
            comment: {
              id: String(1_000_000 + m),
              author: developer,
              body: `Rettet for ${tokens.join(' og ')} i version 4.2.`,
            },
          },
        ];
        if (m % 5 === 0) {
          events.push({
            timestamp: Date.now(),
            webhookEvent: 'jira:issue_updated',
            issue: { key },
            user: developer,
            changelog: {
              id: String(2_000_000 + m),
              items: [{ field: 'status', fromString: 'Åben', toString: 'Løst' }],
            },
          });
        }
        for (const event of events) {
          const body = Buffer.from(JSON.stringify(event));
          const { status, body: answer } = await call('/webhooks/jira', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature': signHubSignature(JIRA_SECRET, body),
            },
            body,
          });
          if (status === 200 && answer.includes('"posted"')) replies++;
          else unexpected.push(`${name}: reply to ${key}: ${status} ${answer.slice(0, 200)}`);
        }
      });
      progress(`${name}: replies sent in ${((performance.now() - writtenAt) / 1000).toFixed(1)} s`);
      await call('/health');
      await sampleQueue();
    } finally {
      const code = await server.stop();
      if (code !== 0) unexpected.push(`${name}: the server exited with ${code}`);
      logs.push(server.output());
    }
    seconds[name] = (performance.now() - t0) / 1000;
  };

  try {
    const half = Math.ceil(first.length / 2);
    const firstIds = new Set(first.slice(0, half).map((d) => `${d.tenant}/${d.ticketId}`));
    const inFirst = (d: Delivery) => firstIds.has(`${d.tenant}/${d.ticketId}`);
    await phase('jira', first.slice(0, half), updates.filter(inFirst));
    await phase(
      'outbox',
      first.slice(half),
      updates.filter((d) => !inFirst(d)),
    );
  } finally {
    await jira.stop();
  }

  // Everything that left the proxy, and everything it stored, by place.
  const t0 = performance.now();
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  const places = new Map<string, PlaceText>();
  const add = (place: string, text: string) => places.set(place, { text, binary: false });
  add(
    'Jira: every request as the fake received it (paths, queries, bodies, attachments)',
    jira.requests.map((r) => `${r.method} ${r.path}?${r.query}\n${decode(r.query)}\n${r.raw}`).join('\n'),
  );
  add(
    'HTTP answers 2xx (webhooks, /outbox, /queue, /health)',
    exchanges
      .filter((e) => e.status < 400)
      .map((e) => e.body)
      .join('\n'),
  );
  add(
    'HTTP answers 4xx/5xx (error bodies)',
    exchanges
      .filter((e) => e.status >= 400)
      .map((e) => e.body)
      .join('\n'),
  );
  add('server stdout and stderr (Jira phase, debug logging, EMF metrics if any)', logs[0] ?? '');
  add('server stdout and stderr (outbox phase, debug logging, EMF metrics if any)', logs[1] ?? '');
  add('queue files (pending, inflight, dead) seen while running', [...queueSeen.values()].join('\n'));
  const dynamo = await openEmbeddedDynamo({ dataDir });
  try {
    for (const [table, found] of await allTablesText(dynamo.client))
      places.set(`${table} (dynalite scan)`, found);
  } finally {
    await dynamo.close();
  }
  for (const [file, found] of await filesText(dataDir, ['replies.jsonl', 'tenants.json'])) {
    places.set(`data directory file ${file}`, found);
  }
  const hits = [...places].flatMap(([place, { text, binary }]) =>
    index.search(place, text, { nameParts: !binary }),
  );
  seconds.search = (performance.now() - t0) / 1000;
  seconds.total = (performance.now() - began) / 1000;

  const repliesText = await readFile(join(dataDir, 'replies.jsonl'), 'utf8').catch(() => '');
  const restored = index.find(repliesText);
  const logLines = logs
    .join('\n')
    .split('\n')
    .filter((l) => l.startsWith('{"level"')).length;
  return {
    tickets: first.length,
    updates: updates.length,
    bad: first.filter((d) => d.expect !== 202).length,
    accepted,
    refused,
    jiraIssues: [...jira.issues.values()].filter((i) => i.properties.has('ticket-proxy')).length,
    outboxIssues,
    deadJobs,
    replies,
    planted: index.counts(),
    searched: [...places].map(([place, { text }]) => ({ place, bytes: Buffer.byteLength(text) })),
    excluded: [
      'replies.jsonl and GET /replies: the local stand-in servicedesk, where write-back restores values on purpose (the control below shows they are there)',
      'tenants.json: the canary’s own configuration, written by the test',
      'the webhooks as sent: the input',
    ],
    hits,
    unexpected,
    controls: {
      missingFromInput: index.missing([...first, ...updates].map((d) => d.body.toString('utf8')).join('\n')),
      foundInReplies: Object.fromEntries(VALUE_KINDS.map((k) => [k, restored[k].size])) as Record<
        ValueKind,
        number
      >,
      logLines,
    },
    seconds,
  };
}
