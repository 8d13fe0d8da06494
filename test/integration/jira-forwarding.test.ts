import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeJira } from '../support/fake-jira.ts';
import { type RunningServer, run, startServer } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const jira = new FakeJira();
let server: RunningServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await jira.start();
  env = {
    TICKET_PROXY_DATA_DIR: await tempDir(),
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: 'bot@example.invalid',
    JIRA_API_TOKEN: 'api-token',
    JIRA_PROJECT_KEY: 'DEV',
  };
  server = await startServer(env);
});
afterAll(async () => {
  await server.stop();
  await jira.stop();
});

describe('npm start with JIRA_* set', () => {
  it('forwards the sanitized ticket to Jira through jira.js, and has no outbox', async () => {
    const sent = await run(`npx --no-install ticket-proxy send --url ${server.url}`, { env });
    expect(sent.stdout).toMatch(/^202 Accepted/);
    for (let i = 0; i < 100 && !jira.issues.has('DEV-1'); i++) await new Promise((r) => setTimeout(r, 100));
    expect([...jira.issues.keys()]).toEqual(['DEV-1']);
    expect(jira.adfErrors).toEqual([]);
    expect(jira.allSentText()).toMatch(/CPR_[A-Z2-7]{16}/);
    expect(jira.allSentText()).not.toMatch(/010190|0101901234|karen\.jensen|Mette Frederiksen Holm/);
    expect((await fetch(`${server.url}/outbox`)).status).toBe(404);
    expect(server.output()).toContain('Sanitized tickets go to Jira');
  });
});
