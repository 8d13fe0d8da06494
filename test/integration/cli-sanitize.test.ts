import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { TOKEN_PATTERN } from '../../lib/pseudonymize/token.ts';
import { run } from '../support/processes.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import { plantedTickets } from '../support/tickets.ts';

const tempDir = useTempDirs();

describe('npx ticket-proxy sanitize (CONTRACTS.md §3)', () => {
  it('sanitizes a few hundred tickets line by line, reports bad lines in place, and exits 2', async () => {
    const dataDir = await tempDir();
    const corpus = plantedTickets(300, 42);
    const lines = corpus.map((t) => JSON.stringify(t.ticket));
    lines.splice(
      10,
      0,
      '{"tenant":"ballerup","id":"SD-X","summary":"x","description":"","cpr":"0101901234"}',
    );
    lines.splice(20, 0, 'this is not json 0202905678');
    lines.splice(30, 0, '');

    const result = await run('npx --no-install ticket-proxy sanitize --jsonl', {
      input: `${lines.join('\n')}\n`,
      env: { TICKET_PROXY_DATA_DIR: dataDir },
    });
    expect(result.stderr).not.toMatch(/0101901234|0202905678/);
    expect(result.code).toBe(2);

    const out = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(303);
    expect(out[10]).toEqual({ error: { line: 11, message: 'unknown property "cpr"' } });
    expect(out[20]).toEqual({ error: { line: 21, message: 'not valid JSON' } });
    expect(out[30]).toEqual({ error: { line: 31, message: 'empty, not a ticket' } });
    const tickets = out.filter((o) => !o.error);
    expect(tickets.map((t) => t.id)).toEqual(corpus.map((c) => c.ticket.id));

    const text = result.stdout;
    for (const { planted, cprDigits, emails } of corpus) {
      for (const value of [...planted, ...cprDigits, ...emails]) expect(text).not.toContain(value);
    }
    expect((text.match(TOKEN_PATTERN) ?? []).length).toBeGreaterThan(300 * 6);

    expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    const dynamo = await openEmbeddedDynamo({ dataDir });
    try {
      const stored = await storedText(dynamo.client);
      expect(stored.length).toBeGreaterThan(0);
      for (const { cprDigits, emails, planted } of corpus) {
        for (const value of [...cprDigits, ...emails, ...planted]) expect(stored).not.toContain(value);
      }
    } finally {
      await dynamo.close();
    }
  });

  it('sanitizes one ticket, and gives the same tokens in a later run on the same data directory', async () => {
    const env = { TICKET_PROXY_DATA_DIR: await tempDir() };
    const input = JSON.stringify({
      tenant: 'ballerup',
      id: 'SD-1',
      summary: 'Borger 010190-1234',
      description: '',
    });
    const first = await run('npx --no-install ticket-proxy sanitize', { input, env });
    const second = await run('npx --no-install ticket-proxy sanitize', { input, env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).summary).toMatch(/^Borger CPR_[A-Z2-7]{16}$/);
    expect(second.stdout).toBe(first.stdout);
  });

  it('exits 2 with the reason on stderr for an invalid single ticket', async () => {
    const result = await run('npx --no-install ticket-proxy sanitize', {
      input: '{"tenant":"ballerup"}',
      env: { TICKET_PROXY_DATA_DIR: await tempDir() },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/invalid ticket: id: is required/);
  });

  it('explains unknown commands and options', async () => {
    const env = { TICKET_PROXY_DATA_DIR: await tempDir() };
    expect(await run('npx --no-install ticket-proxy frobnicate', { env })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command "frobnicate"/),
    });
    expect(await run('npx --no-install ticket-proxy sanitize --json', { env })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Unknown option '--json'/),
    });
  });
});

describe('npx ticket-proxy sweep', () => {
  it('removes tickets past their retention and the tokens only they used, and reports counts', async () => {
    const env = {
      TICKET_PROXY_DATA_DIR: await tempDir(),
      TICKET_PROXY_RETENTION: '{"default":{"afterCloseDays":30,"maxAgeDays":60}}',
    };
    const tickets = plantedTickets(20, 5).map((t) => JSON.stringify(t.ticket));
    expect(
      (await run('npx --no-install ticket-proxy sanitize --jsonl', { input: tickets.join('\n'), env })).code,
    ).toBe(0);

    const soon = await run('npx --no-install ticket-proxy sweep', { env });
    expect(JSON.parse(soon.stdout).tenants).toEqual({});
    const later = new Date(Date.now() + 61 * 24 * 60 * 60 * 1000).toISOString();
    const swept = await run(`npx --no-install ticket-proxy sweep --now ${later}`, { env });
    expect(swept.code).toBe(0);
    const report = JSON.parse(swept.stdout);
    expect(report.tenants.ballerup.tickets).toBe(20);
    expect(report.tenants.ballerup.tokens).toBeGreaterThanOrEqual(20 * 4);

    const dynamo = await openEmbeddedDynamo({ dataDir: env.TICKET_PROXY_DATA_DIR });
    try {
      expect(await storedText(dynamo.client)).not.toMatch(/TOKEN#|TICKET#/);
    } finally {
      await dynamo.close();
    }
  });

  it('refuses a --now that is not a time, and a retention policy that is not valid', async () => {
    const env = { TICKET_PROXY_DATA_DIR: await tempDir() };
    expect(await run('npx --no-install ticket-proxy sweep --now tomorrow', { env })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--now must be an ISO date/),
    });
    const bad = await run('npx --no-install ticket-proxy sweep', {
      env: { ...env, TICKET_PROXY_RETENTION: '{"default":{"afterCloseDays":0,"maxAgeDays":1}}' },
    });
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/TICKET_PROXY_RETENTION is not a valid retention policy/),
    });
  });
});
