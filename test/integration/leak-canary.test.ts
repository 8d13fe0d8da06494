import { describe, expect, it } from 'vitest';
import { runCanary } from '../support/leak-canary.ts';
import { useTempDirs } from '../support/temp-dir.ts';

// The leak canary (test/support/leak-canary.ts) with a CI-sized count; `npm run canary` runs it with
// thousands. Generated tickets for all four servicedesk adapters go through `npm start`'s own server
// with Powertools debug logging on: half to a loopback Jira through jira.js (with a few of Jira's
// failures on the way), half to the local outbox, each followed by developers' replies through the
// Jira webhook. Then the bytes that left the proxy (Jira's requests as received, every HTTP answer,
// error bodies included, the server's stdout and stderr, the queue files) and every stored byte
// (every dynalite table, every file of the data directory) are searched for every planted CPR
// number in any written form, name, e-mail address and phone number. Excluded on purpose:
// replies.jsonl and GET /replies, the stand-in servicedesk, where write-back restores values.

const tempDir = useTempDirs();
const TICKETS = Number(process.env.CANARY_CI_TICKETS ?? 200);

describe('leak canary', () => {
  it(`${TICKETS} generated tickets through every adapter, Jira and the outbox, with replies: no planted value anywhere`, async () => {
    const report = await runCanary({ tickets: TICKETS, dataDir: await tempDir(), seed: 7 });

    // The run went as planned: every ticket written or (Jira's 400s) set aside, every bad one refused.
    expect(report.unexpected).toEqual([]);
    expect(report.accepted).toBe(report.tickets - report.bad + report.updates);
    expect(report.refused).toBe(report.bad);
    expect(report.jiraIssues + report.outboxIssues).toBeGreaterThan((report.tickets - report.bad) * 0.9);
    expect(report.deadJobs).toBe(2);
    expect(report.replies).toBeGreaterThanOrEqual(report.jiraIssues + report.outboxIssues);

    // The search can see: it finds every planted value in what was sent, and the values write-back
    // restored in the stand-in servicedesk's replies; the server did log (at debug level).
    expect(report.controls.missingFromInput).toEqual({ CPR: 0, NAME: 0, EMAIL: 0, PHONE: 0 });
    for (const kind of ['CPR', 'NAME', 'EMAIL', 'PHONE'] as const) {
      expect(report.controls.foundInReplies[kind], kind).toBeGreaterThan(0);
    }
    expect(report.controls.logLines).toBeGreaterThan(report.tickets);
    const places = report.searched.map((s) => s.place).join('\n');
    for (const place of [
      'Jira: every request',
      '4xx/5xx',
      'server stdout',
      'queue files',
      'ticket-proxy-vault',
      'outbox.jsonl',
    ]) {
      expect(places).toContain(place);
    }

    // Hits name the kind, the place and the tickets, never the value.
    expect(report.hits).toEqual([]);
  }, 240_000);
});
