import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import type { OutboxIssue } from '../../lib/tracker/outbox-tracker.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { REPOSITORY_ROOT, type RunningServer, run, startServer } from '../support/processes.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let server: RunningServer;
let dataDir: string;
const SECRET = 'integration-secret';
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServer({ TICKET_PROXY_DATA_DIR: dataDir, TICKET_PROXY_WEBHOOK_SECRET: SECRET });
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

const outbox = async (): Promise<OutboxIssue[]> =>
  (await fetch(`${server.url}/outbox`)).json() as Promise<OutboxIssue[]>;
/** The webhook is answered once the job is queued; the in-process writer delivers it moments later. */
async function delivered(ticketId: string): Promise<OutboxIssue> {
  for (let i = 0; i < 100; i++) {
    const issue = (await outbox()).find((e) => e.source.ticketId === ticketId);
    if (issue) return issue;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ticket ${ticketId} never reached the outbox`);
}
const printedCommand = (start: string) =>
  server
    .output()
    .split('\n')
    .find((l) => l.trim().startsWith(start))
    ?.trim();

async function vaultText(): Promise<string> {
  // The server owns the database; this connects through the endpoint it published.
  const dynamo = await openEmbeddedDynamo({ dataDir });
  try {
    return await storedText(dynamo.client);
  } finally {
    await dynamo.close();
  }
}

describe('npm start (CONTRACTS.md §4)', () => {
  it('answers GET /health', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('prints a command that sends the sample ticket; the outbox then shows it with tokens only', async () => {
    const command = printedCommand('npx ticket-proxy send');
    expect(command).toBeDefined();
    const sent = await run(command as string, {
      env: { TICKET_PROXY_DATA_DIR: dataDir, TICKET_PROXY_WEBHOOK_SECRET: SECRET },
    });
    expect(sent).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^202 Accepted/),
      stderr: expect.any(String),
    });

    const sample = JSON.parse(await readFile(`${REPOSITORY_ROOT}/lib/local/sample-ticket.json`, 'utf8'));
    const entry = await delivered(sample.id);
    expect(entry.summary).toMatch(/^Borger CPR_[A-Z2-7]{16} kan ikke se sin plan i Nexus$/);
    const shown = JSON.stringify(entry);
    for (const value of [
      '010190-1234',
      '0101901234',
      '010190 1234',
      '02.02.85-5678',
      '2002855678',
      '20 30 40 50',
    ]) {
      expect(shown).not.toContain(value);
    }
    for (const value of [
      'karen.jensen@example.dk',
      'mette.holm@ballerup.example.dk',
      'Mette Frederiksen Holm',
    ]) {
      expect(shown).not.toContain(value);
    }
    expect(shown).toContain('Nexus');
  });

  it.runIf(hasCurl)('prints a curl command that works as printed', async () => {
    const command = printedCommand('curl ');
    const result = await run(`${command} -s -o /dev/null -w '%{http_code}'`);
    expect(result.stdout).toBe('202');
  });

  it("carries a developer's reply back with the values restored, audited as write-back", async () => {
    const sample = JSON.parse(await readFile(`${REPOSITORY_ROOT}/lib/local/sample-ticket.json`, 'utf8'));
    const issue = await delivered(sample.id);
    const token = /CPR_[A-Z2-7]{16}/.exec(issue.summary)?.[0] as string;
    const env = { TICKET_PROXY_DATA_DIR: dataDir, TICKET_PROXY_WEBHOOK_SECRET: SECRET };
    const replied = await run(
      `npx --no-install ticket-proxy reply ${issue.issueKey} "Borgeren ${token} er rettet" --url ${server.url}`,
      { env },
    );
    expect(replied.code).toBe(0);
    const replies = (await (await fetch(`${server.url}/replies`)).json()) as {
      body: string;
      ticketId: string;
    }[];
    expect(replies).toContainEqual(
      expect.objectContaining({ ticketId: sample.id, body: 'Borgeren 010190-1234 er rettet' }),
    );
    const audit = await run('npx --no-install ticket-proxy audit list --json', { env });
    const records = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toContainEqual(
      expect.objectContaining({
        actor: 'system:write-back',
        action: 'write-back',
        tokens: [token],
        outcome: 'granted',
      }),
    );
    expect(audit.stdout).not.toContain('010190');
  });

  it('answers a wrong signature with 401 and stores nothing', async () => {
    const [outboxBefore, vaultBefore] = [await outbox(), await vaultText()];
    const body = JSON.stringify({
      tenant: 'ballerup',
      id: 'SD-9',
      summary: 'Borger 111111-1118',
      description: '',
    });
    const response = await fetch(`${server.url}/webhooks/generic/ballerup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-ticket-proxy-signature': signWebhook('not-the-secret', Buffer.from(body)),
      },
      body,
    });
    expect(response.status).toBe(401);
    expect(await outbox()).toEqual(outboxBefore);
    expect(await vaultText()).toBe(vaultBefore);
  });

  it('answers 413 to a body over the limit', async () => {
    const response = await fetch(`${server.url}/webhooks/generic/ballerup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it('answers 404 to a tenant path that does not decode, not 500', async () => {
    const response = await fetch(`${server.url}/webhooks/generic/%E0%A4%A`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('refuses requests that name another host (DNS rebinding), so no web page can read the outbox', async () => {
    const response = await run(
      `curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' ${server.url}/outbox`,
    );
    expect(response.stdout).toBe('403');
  });

  it('answers 404 with a JSON error for unknown routes', async () => {
    const response = await fetch(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
