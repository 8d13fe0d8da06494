import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../../lib/errors.ts';
import { JiraCloudTracker, jiraConfigFromEnv } from '../../lib/tracker/jira-cloud-tracker.ts';
import { FakeJira } from '../support/fake-jira.ts';

const jira = new FakeJira();
beforeAll(() => jira.start());
afterAll(() => jira.stop());
beforeEach(() => {
  jira.requests.length = 0;
});

const config = () => ({
  baseUrl: jira.url,
  email: 'bot@example.invalid',
  apiToken: 'token-1',
  projectKey: 'DEV',
});
const ticket = {
  tenant: 'ballerup',
  id: 'SD-7',
  summary: 'Login fejler for CPR_AAAAAAAAAAAAAAAA \nigen',
  description: 'Linje 1\nLinje 2\n\nAfsnit 2',
  labels: ['nexus login'],
  comments: [
    { id: 'c1', author: { name: 'NAME_BBBBBBBBBBBBBBBB' }, body: 'Svar', internal: false },
    { id: 'c2', body: 'Intern note', internal: true },
  ],
};

describe('JiraCloudTracker (real jira.js, loopback Jira)', () => {
  it('creates an issue with ADF description, labels and a link back, then adds public comments', async () => {
    expect(await new JiraCloudTracker(config()).deliver(ticket)).toEqual({ issueKey: 'DEV-1' });
    const [create, comment, ...rest] = jira.requests;
    expect(rest).toEqual([]);
    expect(create?.method).toBe('POST');
    expect(create?.path).toBe('/rest/api/3/issue');
    expect(create?.authorization).toBe(
      `Basic ${Buffer.from('bot@example.invalid:token-1').toString('base64')}`,
    );
    expect(create?.body).toMatchObject({
      fields: {
        project: { key: 'DEV' },
        issuetype: { name: 'Task' },
        summary: 'Login fejler for CPR_AAAAAAAAAAAAAAAA  igen',
        description: { type: 'doc', version: 1 },
        labels: ['ticket-proxy', 'tenant-ballerup', 'nexus_login'],
      },
      properties: [{ key: 'ticket-proxy', value: { tenant: 'ballerup', ticketId: 'SD-7' } }],
    });
    expect(JSON.stringify(create?.body)).toContain('Servicedesk ticket SD-7 (ballerup)');
    expect(comment?.path).toBe('/rest/api/3/issue/DEV-1/comment');
    expect(JSON.stringify(comment?.body)).toContain('NAME_BBBBBBBBBBBBBBBB:');
    expect(jira.allSentText()).not.toContain('Intern note');
  });

  it('reports Jira refusing the issue as TRACKER_UNAVAILABLE', async () => {
    jira.failures.push({ status: 400, body: { errors: { summary: 'required' } } });
    await expect(new JiraCloudTracker(config()).deliver(ticket)).rejects.toMatchObject({
      code: ErrorCode.TRACKER_UNAVAILABLE,
      retryable: true,
    });
  });
});

describe('jiraConfigFromEnv', () => {
  const env = {
    JIRA_BASE_URL: 'https://example.atlassian.net',
    JIRA_EMAIL: 'bot@example.invalid',
    JIRA_API_TOKEN: 't',
    JIRA_PROJECT_KEY: 'DEV',
  };

  it('is undefined when no JIRA_* variable is set (use the outbox)', () => {
    expect(jiraConfigFromEnv({})).toBeUndefined();
  });

  it('reads all four, with an optional issue type', () => {
    expect(jiraConfigFromEnv({ ...env, JIRA_ISSUE_TYPE: 'Bug' })).toMatchObject({
      projectKey: 'DEV',
      issueType: 'Bug',
    });
  });

  it('names the missing variables when only some are set', () => {
    expect(() => jiraConfigFromEnv({ JIRA_BASE_URL: env.JIRA_BASE_URL })).toThrow(
      /JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY missing/,
    );
  });

  it('names the variable that is wrong', () => {
    expect(() => jiraConfigFromEnv({ ...env, JIRA_PROJECT_KEY: 'dev project' })).toThrow(ConfigError);
    expect(() => jiraConfigFromEnv({ ...env, JIRA_PROJECT_KEY: 'dev project' })).toThrow(/JIRA_PROJECT_KEY/);
  });
});
