import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import type { OutboxEntry } from '../../lib/tracker/outbox-tracker.ts';
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

const outbox = async (): Promise<OutboxEntry[]> =>
  (await fetch(`${server.url}/outbox`)).json() as Promise<OutboxEntry[]>;
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
    const [entry] = (await outbox()).filter((e) => e.ticket.id === sample.id);
    expect(entry?.ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16} kan ikke se sin plan i Nexus$/);
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
    const before = (await outbox()).length;
    const command = printedCommand('curl ');
    const result = await run(`${command} -s -o /dev/null -w '%{http_code}'`);
    expect(result.stdout).toBe('202');
    expect((await outbox()).length).toBe(before + 1);
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
