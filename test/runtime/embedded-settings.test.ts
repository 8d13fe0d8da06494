import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { openEmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const base = async () => ({
  TICKET_PROXY_DATA_DIR: await tempDir(),
  TICKET_PROXY_WEBHOOK_SECRET: 'local-test-secret-0123456789',
});

describe('the embedded runtime’s settle window after a create attempt', () => {
  it('is the writer’s default (15 minutes) with Jira, none with the outbox, unless TICKET_PROXY_CREATE_SETTLE_SECONDS sets it', async () => {
    const jira = await openEmbeddedRuntime({
      ...(await base()),
      JIRA_BASE_URL: 'https://example.atlassian.net',
      JIRA_EMAIL: 'bot@example.invalid',
      JIRA_API_TOKEN: 'token',
      JIRA_PROJECT_KEY: 'DEV',
    });
    try {
      expect(jira.createSettleMs).toBeUndefined();
    } finally {
      await jira.close();
    }
    // The outbox's search is always current, and its writes cannot land after a timeout.
    const outbox = await openEmbeddedRuntime(await base());
    try {
      expect(outbox.createSettleMs).toBe(0);
    } finally {
      await outbox.close();
    }
    const set = await openEmbeddedRuntime({ ...(await base()), TICKET_PROXY_CREATE_SETTLE_SECONDS: '90' });
    try {
      expect(set.createSettleMs).toBe(90_000);
    } finally {
      await set.close();
    }
  });

  it('refuses a value that is not a whole number of seconds', async () => {
    for (const value of ['15m', '-1', '1.5', 'soon']) {
      await expect(
        openEmbeddedRuntime({ ...(await base()), TICKET_PROXY_CREATE_SETTLE_SECONDS: value }),
      ).rejects.toThrow(ConfigError);
    }
  });
});
