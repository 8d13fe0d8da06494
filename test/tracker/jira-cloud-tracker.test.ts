import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DependencyError, ErrorCode, TrackerRejectedError } from '../../lib/errors.ts';
import { textToAdf } from '../../lib/tracker/adf.ts';
import {
  JiraCloudTracker,
  type JiraCloudTrackerOptions,
  jiraConfigFromEnv,
  markerLabel,
  PROPERTY_KEY,
} from '../../lib/tracker/jira-cloud-tracker.ts';
import {
  type IssueContent,
  IssueCreatedError,
  IssueNotCreatedError,
} from '../../lib/tracker/ticket-tracker.ts';
import { FakeJira } from '../support/fake-jira.ts';

const credentials = { email: 'bot@example.invalid', apiToken: 'token-1' };
const jira = new FakeJira({ credentials });
beforeAll(() => jira.start());
afterAll(() => jira.stop());
beforeEach(() => jira.reset());
afterEach(() => {
  // Every ADF document the tracker sent was valid (tests that send invalid ADF on purpose clear this).
  expect(jira.adfErrors).toEqual([]);
});

let waits: number[] = [];
beforeEach(() => {
  waits = [];
});
const tracker = (options: JiraCloudTrackerOptions = {}) =>
  new JiraCloudTracker(
    { baseUrl: jira.url, ...credentials, projectKey: 'DEV', retentionDateField: 'customfield_10050' },
    { sleep: async (ms) => void waits.push(ms), ...options },
  );

const source = {
  tenant: 'ballerup',
  ticketId: 'SD-7',
  url: 'https://servicedesk.example.invalid/tickets/SD-7',
};
const content = (overrides: Partial<IssueContent> = {}): IssueContent => ({
  source,
  summary: 'Login fejler for CPR_AAAAAAAAAAAAAAAA \nigen',
  description: textToAdf('Linje 1\nLinje 2\n\nAfsnit 2'),
  labels: ['nexus login'],
  expiresAt: new Date('2027-03-01T12:00:00Z'),
  ...overrides,
});

describe('JiraCloudTracker (real jira.js, loopback Jira)', () => {
  it('creates an issue with summary, ADF description and footer, labels, property, date field and link back', async () => {
    expect(await tracker().createIssue(content())).toEqual({ issueKey: 'DEV-1' });

    const create = jira.requests.find((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');
    expect(create?.authorization).toBe(
      `Basic ${Buffer.from('bot@example.invalid:token-1').toString('base64')}`,
    );
    const issue = jira.issue('DEV-1');
    expect(issue.fields).toMatchObject({
      issuetype: { name: 'Task' },
      summary: 'Login fejler for CPR_AAAAAAAAAAAAAAAA  igen',
      customfield_10050: '2027-03-01',
    });
    const marker = markerLabel(source);
    expect(marker).toMatch(/^tp-ballerup-[0-9a-f]{20}$/);
    expect(issue.fields.labels).toEqual(['nexus_login', 'retention-2027-03-01', marker]);
    expect(issue.properties.get(PROPERTY_KEY)).toEqual({
      tenant: 'ballerup',
      ticketId: 'SD-7',
      expiresAt: '2027-03-01T12:00:00.000Z',
      labels: ['nexus_login'],
    });
    const description = JSON.stringify(issue.fields.description);
    expect(description).toContain('Linje 2');
    expect(description).toContain('"text":"Servicedesk: "');
    expect(description).toContain(`"href":"${source.url}"`);
    expect(issue.remoteLinks).toEqual([
      expect.objectContaining({
        globalId: `ticket-proxy:${marker}`,
        object: expect.objectContaining({ url: source.url }),
      }),
    ]);
  });

  it('names the ticket without a link when there is no URL, and refuses to link anything but http(s)', async () => {
    await tracker().createIssue(content({ source: { ...source, url: 'javascript:alert(1)' } }));
    const issue = jira.issue('DEV-1');
    expect(issue.remoteLinks).toEqual([]);
    expect(JSON.stringify(issue.fields.description)).not.toContain('javascript');
    expect(JSON.stringify(issue.fields.description)).toContain('SD-7');
  });

  it('finds the issue by its marker label through the enhanced search, and nothing for another ticket', async () => {
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    expect(await jiraTracker.findIssue(source)).toBe(issueKey);
    expect(await jiraTracker.findIssue({ tenant: 'ballerup', ticketId: 'SD-8' })).toBeUndefined();
    expect(await jiraTracker.findIssue({ tenant: 'gentofte', ticketId: 'SD-7' })).toBeUndefined();
    expect(jira.requests.filter((r) => r.path === '/rest/api/3/search/jql')).toHaveLength(3);
  });

  it('does not take an issue that merely carries the label for the ticket’s issue', async () => {
    jira.seedIssue('DEV', { labels: [markerLabel(source)] });
    expect(await tracker().findIssue(source)).toBeUndefined();
  });

  it('updates summary, description, property and date, replaces its own labels and keeps the developers’', async () => {
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    jira.issue(issueKey).fields.labels.push('needs-triage');

    await jiraTracker.updateIssue(
      issueKey,
      content({
        summary: 'Ny titel',
        description: textToAdf('Ny beskrivelse'),
        labels: ['borger'],
        expiresAt: new Date('2027-06-30T00:00:00Z'),
      }),
    );

    const issue = jira.issue(issueKey);
    expect(issue.fields.summary).toBe('Ny titel');
    expect(JSON.stringify(issue.fields.description)).toContain('Ny beskrivelse');
    expect(issue.fields.customfield_10050).toBe('2027-06-30');
    expect([...issue.fields.labels].sort()).toEqual(
      ['borger', 'needs-triage', 'retention-2027-06-30', markerLabel(source)].sort(),
    );
    expect(issue.properties.get(PROPERTY_KEY)).toMatchObject({ expiresAt: '2027-06-30T00:00:00.000Z' });
    expect(issue.remoteLinks).toHaveLength(1);
    const edit = jira.requests.find((r) => r.method === 'PUT');
    expect(edit?.body).toMatchObject({ update: { labels: expect.any(Array) } });
    expect((edit?.body as { fields?: object } | undefined)?.fields).not.toHaveProperty('labels');
  });

  it('lists the comments and attachments it added, across comment pages, and adds each once', async () => {
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    jira.commentPageLimit = 2;
    expect(await jiraTracker.syncedItems(issueKey)).toEqual({ comments: new Set(), attachments: new Set() });

    await jiraTracker.addComment(issueKey, {
      sourceId: 'c1',
      body: textToAdf('NAME_BBBBBBBBBBBBBBBB:\nSvar'),
    });
    jira.addForeignComment(issueKey, 'En udviklers kommentar');
    await jiraTracker.addComment(issueKey, { sourceId: 'c2', body: textToAdf('Andet svar') });
    await jiraTracker.addComment(issueKey, { sourceId: 'c3', body: textToAdf('Tredje svar') });
    const bytes = new Uint8Array([0, 255, 1, 0xc3, 0x28, 10, 13]);
    await jiraTracker.addAttachment(issueKey, {
      sourceId: 'a1',
      filename: 'skærm billede.png',
      mimeType: 'image/png',
      content: bytes,
    });
    await jiraTracker.addAttachment(issueKey, {
      sourceId: 'odd]/id',
      filename: 'log.txt',
      mimeType: 'text/plain',
      content: new TextEncoder().encode('linje'),
    });

    expect(await jiraTracker.syncedItems(issueKey)).toEqual({
      comments: new Set(['c1', 'c2', 'c3']),
      attachments: new Set(['a1', 'odd]/id']),
    });
    const [first, second] = jira.issue(issueKey).attachments;
    expect(first?.filename).toBe('[a1] skærm billede.png');
    expect(first?.mimeType).toBe('image/png');
    expect(new Uint8Array(first?.content ?? [])).toEqual(bytes);
    expect(second?.filename).toBe('[odd%5D%2Fid] log.txt');
    expect(jira.issue(issueKey).comments[0]?.properties.get(PROPERTY_KEY)).toEqual({ sourceId: 'c1' });
  });

  it('retries 500 three times and then succeeds', async () => {
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    jira.failures.push(
      ...Array.from({ length: 3 }, () => ({ status: 500, body: { errorMessages: ['oops'] } })),
    );
    expect(await jiraTracker.findIssue(source)).toBe(issueKey);
    jira.failures.push(
      ...Array.from({ length: 3 }, () => ({
        status: 500,
        body: { errorMessages: ['oops'] },
        match: /comment$/,
      })),
    );
    await jiraTracker.addComment(issueKey, { sourceId: 'c1', body: textToAdf('Svar') });
    expect(jira.issue(issueKey).comments).toHaveLength(1);
    expect(waits).toHaveLength(6);
  });

  describe('the create request, which Jira cannot deduplicate', () => {
    const CREATE = /^POST \/rest\/api\/3\/issue$/;
    const creates = () => jira.requests.filter((r) => CREATE.test(`${r.method} ${r.path}`));

    it('a 500 may come after Jira created the issue: a plain TRACKER_UNAVAILABLE, not IssueNotCreatedError', async () => {
      jira.failures.push({ status: 500, body: {}, match: CREATE });
      const error = await tracker()
        .createIssue(content())
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(IssueNotCreatedError);
      expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE });
    });

    it('a 408 may come from a proxy that had passed the request on: TRACKER_UNAVAILABLE, not repeated, not refused', async () => {
      jira.failures.push({ status: 408, body: {}, afterApplying: true, match: CREATE });
      const error = await tracker()
        .createIssue(content())
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(IssueNotCreatedError);
      expect(error).not.toBeInstanceOf(TrackerRejectedError);
      expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
      expect(creates()).toHaveLength(1);
    });

    it('made, but the link back refused: IssueCreatedError with the new key and the refusal as its cause', async () => {
      jira.failures.push({ status: 403, body: { errorMessages: ['no'] }, match: /remotelink$/ });
      const error = await tracker()
        .createIssue(content())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IssueCreatedError);
      expect(error).toMatchObject({ issueKey: 'DEV-1', cause: { code: 'TRACKER_REJECTED' } });
      expect(creates()).toHaveLength(1);
    });

    it.each([500, 502, 503, 504])(
      'is not repeated after a %i, which may come after Jira created the issue: TRACKER_UNAVAILABLE at once',
      async (status) => {
        jira.failures.push({ status, body: {}, afterApplying: status !== 503, match: CREATE });
        const error = await tracker()
          .createIssue(content())
          .catch((e) => e);
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
        expect(error.message).toMatch(new RegExp(`create the issue.*HTTP ${status}.*not repeated`));
        expect(creates()).toHaveLength(1);
        expect(waits).toEqual([]);
        // Neither a search nor anything else: the job decides when to look again.
        expect(jira.requests).toHaveLength(1);
        expect(jira.issues.size).toBe(status === 503 ? 0 : 1);
      },
    );

    it('is not repeated after a timeout: Jira may still carry it out', async () => {
      jira.failures.push({ status: 201, body: {}, delayMs: 400, afterApplying: true, match: CREATE });
      const error = await tracker({ requestTimeoutMs: 100 })
        .createIssue(content())
        .catch((e) => e);
      expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
      expect(error.message).toMatch(/timed out/);
      expect(creates()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(jira.issues.size).toBe(1);
    });

    it('is repeated after a 429, which Jira answers before doing anything, honouring Retry-After', async () => {
      jira.failures.push({ status: 429, body: {}, headers: { 'Retry-After': '2' }, match: CREATE });
      expect(await tracker().createIssue(content())).toEqual({ issueKey: 'DEV-1' });
      expect(creates()).toHaveLength(2);
      expect(waits).toEqual([2_000]);
      expect(jira.issues.size).toBe(1);
    });

    it('429 until the retries run out: IssueNotCreatedError, the rate limit as its cause', async () => {
      jira.failures.push(
        ...Array.from({ length: 4 }, () => ({
          status: 429,
          body: {},
          headers: { 'Retry-After': '1' },
          match: CREATE,
        })),
      );
      const error = await tracker()
        .createIssue(content())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IssueNotCreatedError);
      expect(error).toMatchObject({ failure: { code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true } });
      expect(jira.issues.size).toBe(0);
    });

    it('a 429 and then a 500: the 500 may have created it, so no IssueNotCreatedError', async () => {
      jira.failures.push(
        { status: 429, body: {}, headers: { 'Retry-After': '1' }, match: CREATE },
        { status: 500, body: {}, afterApplying: true, match: CREATE },
      );
      const error = await tracker()
        .createIssue(content())
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(IssueNotCreatedError);
      expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE });
      expect(jira.issues.size).toBe(1);
    });

    it('is repeated when no connection could be made (nothing was sent)', async () => {
      const closed = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          server.close(() => resolve(port));
        });
      });
      const error = await new JiraCloudTracker(
        { baseUrl: `http://127.0.0.1:${closed}`, ...credentials, projectKey: 'DEV' },
        { sleep: async (ms) => void waits.push(ms), retry: { maxAttempts: 3 } },
      )
        .createIssue(content())
        .catch((e) => {
          // Proved not to have created anything: the job need not wait for the search to settle.
          expect(e).toBeInstanceOf(IssueNotCreatedError);
          return e.cause;
        });
      expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
      expect(error.message).toMatch(/got no answer.*gave up after 3 attempts/);
      expect(waits).toHaveLength(2);
    });
  });

  it('adds a comment once when Jira added it but the answer was lost', async () => {
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    jira.failures.push({ status: 504, body: {}, afterApplying: true, match: /comment$/ });
    await jiraTracker.addComment(issueKey, { sourceId: 'c1', body: textToAdf('Svar') });
    expect(jira.issue(issueKey).comments).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    jira.failures.push({ status: 429, body: {}, headers: { 'Retry-After': '3' } });
    const jiraTracker = tracker();
    expect(await jiraTracker.findIssue(source)).toBeUndefined();
    expect(waits).toEqual([3_000]);
  });

  it('waits out a short Retry-After for real', async () => {
    jira.failures.push({ status: 429, body: {}, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    await tracker({ sleep: undefined, retry: { maxTotalDelayMs: 1_500 } }).findIssue(source);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once with TRACKER_UNAVAILABLE when Retry-After exceeds the budget', async () => {
    jira.failures.push({ status: 429, body: {}, headers: { 'Retry-After': '30' } });
    const started = Date.now();
    const error = await tracker({ sleep: undefined, retry: { maxTotalDelayMs: 2_000 } })
      .findIssue(source)
      .catch((e) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
  });

  it('reports Jira down as TRACKER_UNAVAILABLE after the configured attempts', async () => {
    jira.down = true;
    const error = await tracker({ retry: { maxAttempts: 3 } })
      .findIssue(source)
      .catch((e) => e);
    expect(error).toMatchObject({ code: ErrorCode.TRACKER_UNAVAILABLE, retryable: true });
    expect(error.message).toMatch(/HTTP 503/);
    expect(waits).toHaveLength(2);
    jira.down = false;
    expect(jira.issues.size).toBe(0);
  });

  it('repeats a request Jira answered with 408 Request Timeout, instead of dead-lettering the job', async () => {
    jira.failures.push({ status: 408, body: {}, match: /comment$/ });
    const jiraTracker = tracker();
    const { issueKey } = await jiraTracker.createIssue(content());
    await jiraTracker.addComment(issueKey, { sourceId: 'c1', body: textToAdf('Svar') });
    expect(jira.issue(issueKey).comments).toHaveLength(1);
    expect(waits).toHaveLength(1);
  });

  it('retries a request that times out', async () => {
    jira.failures.push({ status: 503, body: {}, delayMs: 500 });
    expect(await tracker({ requestTimeoutMs: 100 }).findIssue(source)).toBeUndefined();
    expect(jira.requests).toHaveLength(2);
  });

  it('turns a 400 into TrackerRejectedError at once, without quoting what Jira answered', async () => {
    jira.failures.push({
      status: 400,
      body: {
        errorMessages: ['Mette Frederiksen Holm is not allowed'],
        errors: { summary: 'CPR 010190-1234' },
      },
    });
    const error = await tracker()
      .createIssue(content())
      .catch((e) => {
        // Proved not to have created anything: the job need not wait for the search to settle.
        expect(e).toBeInstanceOf(IssueNotCreatedError);
        return e.cause;
      });
    expect(error).toBeInstanceOf(TrackerRejectedError);
    expect(error).toMatchObject({ status: 400, code: ErrorCode.TRACKER_REJECTED, retryable: false });
    expect(error.message).toMatch(/create the issue.*HTTP 400.*summary/);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toMatch(
      /Mette|010190/,
    );
    expect(jira.requests).toHaveLength(1);
  });

  it('is refused by Jira for invalid ADF (the fake checks every document)', async () => {
    const invalid = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
    };
    const error = await tracker()
      .createIssue(content({ description: invalid as IssueContent['description'] }))
      .catch((e) => {
        // Proved not to have created anything: the job need not wait for the search to settle.
        expect(e).toBeInstanceOf(IssueNotCreatedError);
        return e.cause;
      });
    expect(error).toBeInstanceOf(TrackerRejectedError);
    expect(jira.adfErrors).toHaveLength(1);
    jira.adfErrors.length = 0;
  });

  it('is refused with bad credentials', async () => {
    const error = await new JiraCloudTracker({
      baseUrl: jira.url,
      email: 'bot@example.invalid',
      apiToken: 'wrong',
      projectKey: 'DEV',
    })
      .findIssue(source)
      .catch((e) => e);
    expect(error).toMatchObject({ status: 401, code: ErrorCode.TRACKER_REJECTED });
  });

  it('reads its own account id once', async () => {
    const jiraTracker = tracker();
    expect(await jiraTracker.ownAccountId()).toBe(jira.account.accountId);
    expect(await jiraTracker.ownAccountId()).toBe(jira.account.accountId);
    expect(jira.requests.filter((r) => r.path === '/rest/api/3/myself')).toHaveLength(1);
  });

  it('sends the summary on one line, within 255 characters, and never empty', async () => {
    const jiraTracker = tracker();
    await jiraTracker.createIssue(content({ summary: `${'x'.repeat(254)}😀 tail` }));
    await jiraTracker.createIssue(content({ source: { ...source, ticketId: 'SD-9' }, summary: ' \n ' }));
    expect(jira.issue('DEV-1').fields.summary).toBe('x'.repeat(254));
    expect(jira.issue('DEV-2').fields.summary).toBe('Servicedesk SD-9');
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

  it('reads all four, with an optional issue type and retention date field', () => {
    expect(
      jiraConfigFromEnv({ ...env, JIRA_ISSUE_TYPE: 'Bug', JIRA_RETENTION_DATE_FIELD: 'customfield_10050' }),
    ).toMatchObject({ projectKey: 'DEV', issueType: 'Bug', retentionDateField: 'customfield_10050' });
  });

  it('names the missing variables when only some are set', () => {
    expect(() => jiraConfigFromEnv({ JIRA_BASE_URL: env.JIRA_BASE_URL })).toThrow(
      /JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY missing/,
    );
  });

  it('names the variable that is wrong', () => {
    expect(() => jiraConfigFromEnv({ ...env, JIRA_PROJECT_KEY: 'dev project' })).toThrow(ConfigError);
    expect(() => jiraConfigFromEnv({ ...env, JIRA_PROJECT_KEY: 'dev project' })).toThrow(/JIRA_PROJECT_KEY/);
    expect(() => jiraConfigFromEnv({ ...env, JIRA_RETENTION_DATE_FIELD: 'Expiry' })).toThrow(
      /JIRA_RETENTION_DATE_FIELD/,
    );
  });
});
