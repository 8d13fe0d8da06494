import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { FakeJira } from '../support/fake-jira.ts';
import { commentIds, issuesOf, plantedIn } from '../support/fault-checks.ts';
import { type HttpFault, HttpFaultProxy } from '../support/fault-proxies.ts';
import { type KillableServer, startKillableServer } from '../support/killable-server.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import { type PlantedTicket, plantedTickets } from '../support/tickets.ts';

// The process killed mid-ticket: `npm start`'s entry point (lib/local/main.ts) as a child process
// with Jira configured, SIGKILLed at a chosen point (no handler runs, nothing is flushed), then
// started again on the same data directory. Jira is the loopback fake behind a proxy that holds the
// request the process is working on, so the kill lands exactly while it is in flight. Kill points in
// the webhook itself come from a preload (test/support/pause-hook.ts) that stops the process just
// before or just after the queue's rename, and nowhere else. Each scenario has its own data
// directory, Jira and proxy, so the scenarios run side by side (a server takes ~2 s to start).

const tempDir = useTempDirs();
const SECRET = 'crash-test-webhook-secret-0123';
const credentials = { email: 'bot@example.invalid', apiToken: 'jira-api-token' };
const CREATE = /^POST \/rest\/api\/3\/issue$/;
const COMMENT = /^POST \/rest\/api\/3\/issue\/[^/]+\/comment$/;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

let seeds = 0;

/** A data directory, a Jira and a proxy in front of it; servers on them; the checks. */
async function scenario() {
  const dataDir = await tempDir();
  const jira = await new FakeJira({ credentials }).start();
  const edge = await new HttpFaultProxy(jira.url).start();
  const running = new Set<KillableServer>();
  const planted: PlantedTicket[] = [];
  /** What the servers printed (their JSON log lines), kept when each goes. */
  const logs: string[] = [];
  cleanups.push(async () => {
    for (const server of running) await server.kill();
    await Promise.all([edge.stop(), jira.stop()]);
  });

  const start = async (pause?: Parameters<typeof startKillableServer>[1]) => {
    const server = await startKillableServer(
      {
        TICKET_PROXY_DATA_DIR: dataDir,
        TICKET_PROXY_WEBHOOK_SECRET: SECRET,
        JIRA_BASE_URL: edge.url,
        JIRA_EMAIL: credentials.email,
        JIRA_API_TOKEN: credentials.apiToken,
        JIRA_PROJECT_KEY: 'DEV',
        // A create the killed process sent may have been carried out without Jira's search showing
        // it yet: the restarted writer waits this long before creating again (production: 15 min).
        TICKET_PROXY_CREATE_SETTLE_SECONDS: '2',
      },
      pause,
    );
    running.add(server);
    return server;
  };
  const kill = async (server: KillableServer) => {
    await server.kill();
    running.delete(server);
    logs.push(server.output());
  };
  const stop = async (server: KillableServer) => {
    await server.stop();
    running.delete(server);
    logs.push(server.output());
  };

  const newTicket = (): PlantedTicket => {
    const [planting] = plantedTickets(1, 500 + ++seeds);
    if (!planting) throw new Error('no ticket');
    const ticket = { ...planting, ticket: { ...planting.ticket, id: `SD-C${seeds}` } };
    planted.push(ticket);
    return ticket;
  };

  const queueFiles = async () => {
    const files = { pending: [] as string[], inflight: [] as string[], dead: [] as string[] };
    for (const state of ['pending', 'inflight', 'dead'] as const) {
      files[state] = await readdir(join(dataDir, 'queue', state)).catch(() => []);
    }
    return files;
  };
  const creates = () => edge.seen.filter((r) => CREATE.test(`${r.method} ${r.path}`));

  /** Until every ticket has its issue with its comment and the queue has nothing waiting or claimed. */
  const settled = async (tickets: PlantedTicket[]) => {
    await waitUntil(async () => {
      const written = tickets.every((t) =>
        issuesOf(jira, 'ballerup', t.ticket.id).some((i) => i.comments.length > 0),
      );
      const { pending, inflight } = await queueFiles();
      return written && pending.filter((n) => n.endsWith('.json')).length === 0 && inflight.length === 0;
    }, 30_000);
    // Anything still on its way would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  /**
   * Each ticket in Jira exactly once, with its comment once; nothing dead, waiting or claimed; and
   * no planted value in anything Jira was sent, any job file left in the data directory, or the
   * servers' logs.
   */
  const expectEachOnce = async (tickets: PlantedTicket[]) => {
    for (const t of tickets) {
      const issues = issuesOf(jira, 'ballerup', t.ticket.id);
      expect(
        issues.map((i) => i.key),
        t.ticket.id,
      ).toHaveLength(1);
      expect(issues[0] && commentIds(issues[0])).toEqual(['c1']);
    }
    const { pending, inflight, dead } = await queueFiles();
    expect({ pending: pending.filter((n) => n.endsWith('.json')), inflight, dead }).toEqual({
      pending: [],
      inflight: [],
      dead: [],
    });
    const files: string[] = [];
    for (const state of ['pending', 'inflight', 'dead']) {
      for (const name of await readdir(join(dataDir, 'queue', state)).catch(() => [])) {
        files.push(await readFile(join(dataDir, 'queue', state, name), 'utf8'));
      }
    }
    expect(
      plantedIn([edge.allSentText(), jira.allSentText(), ...files, ...logs].join('\n'), planted),
    ).toEqual([]);
    expect(edge.allSentText()).toContain('CPR_');
    expect(logs.join('')).toContain('"ticketId"');
  };

  return { dataDir, jira, edge, start, kill, stop, newTicket, queueFiles, creates, settled, expectEachOnce };
}

/** A servicedesk delivery: the body and its signature, sent again as they were when retried. */
function delivery(ticket: GenericTicket) {
  const body = Buffer.from(JSON.stringify(ticket));
  return { body, signature: signWebhook(SECRET, body) };
}

/** POSTs a delivery; the status, or 0 when the connection died without an answer. */
async function deliver(server: KillableServer, { body, signature }: ReturnType<typeof delivery>) {
  try {
    const response = await fetch(`${server.url}/webhooks/generic/ballerup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ticket-proxy-signature': signature },
      body,
    });
    return response.status;
  } catch {
    return 0;
  }
}

describe.concurrent('the process killed mid-ticket', () => {
  it.each<[string, RegExp, HttpFault, number]>([
    ['the create request, which Jira has not carried out', CREATE, { kind: 'hold' }, 4],
    [
      'the create request, which Jira has carried out (the answer has not arrived)',
      CREATE,
      { kind: 'applyThenHold' },
      3,
    ],
    ['the comment, which Jira has added (the answer has not arrived)', COMMENT, { kind: 'applyThenHold' }, 3],
  ])(
    'killed while Jira holds %s: after a restart every ticket is in Jira exactly once',
    async (_, match, fault, createRequests) => {
      const s = await scenario();
      const tickets = [s.newTicket(), s.newTicket(), s.newTicket()];
      s.edge.on(match, fault);
      const first = await s.start();
      for (const t of tickets) expect(await deliver(first, delivery(t.ticket))).toBe(202);
      await waitUntil(() => s.edge.seen.some((r) => r.fault === fault.kind));
      // The job is claimed (queue/inflight/), the other two wait in queue/pending/.
      expect(await s.queueFiles()).toMatchObject({ inflight: [expect.any(String)] });
      await s.kill(first);
      s.edge.reset();

      const second = await s.start();
      await s.settled(tickets);
      await s.stop(second);
      await s.expectEachOnce(tickets);
      expect(s.creates()).toHaveLength(createRequests);
    },
  );

  /** Kills the server at `point` of handling a delivery, restarts it, and sends the same delivery again. */
  async function killAndRetry(point: 'before-enqueue' | 'after-enqueue') {
    const s = await scenario();
    const ticket = s.newTicket();
    const sent = delivery(ticket.ticket);
    const marker = join(s.dataDir, 'paused-here');
    const first = await s.start({ point, marker });
    const answered = deliver(first, sent);
    await waitUntil(() => existsSync(marker));
    await s.kill(first);
    // The servicedesk never got an answer, so it sends the same delivery again.
    expect(await answered).toBe(0);
    const queued = (await s.queueFiles()).pending.filter((n) => n.endsWith('.json'));
    expect(queued).toHaveLength(point === 'after-enqueue' ? 1 : 0);
    const second = await s.start();
    expect(await deliver(second, sent)).toBe(202);
    return { s, ticket, second };
  }

  it('killed while handling the webhook, after the job was queued and before answering: the queued job and the servicedesk’s retry give one issue', async () => {
    const { s, ticket, second } = await killAndRetry('after-enqueue');
    await s.settled([ticket]);
    await s.stop(second);
    await s.expectEachOnce([ticket]);
    expect(s.creates()).toHaveLength(1);
  });

  // A job is written aside (`….json.<pid>.tmp`) and renamed into the queue. Killed between the
  // two, the process leaves the .tmp file: the queue's duplicate check counts only whole jobs, so
  // the servicedesk's retry is queued, and the next start removes the leftover.
  it('killed while handling the webhook, after the job was written aside and before it was renamed into the queue: the servicedesk’s retry gives one issue', async () => {
    const { s, ticket, second } = await killAndRetry('before-enqueue');
    try {
      await waitUntil(() => issuesOf(s.jira, 'ballerup', ticket.ticket.id).length > 0, 3000).catch(
        () => undefined,
      );
      expect(issuesOf(s.jira, 'ballerup', ticket.ticket.id)).toHaveLength(1);
    } finally {
      await s.stop(second);
    }
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
