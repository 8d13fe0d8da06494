import { describe, expect, it } from 'vitest';
import { parseJiraEvent } from '../../lib/sync/jira-event.ts';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const timestamp = Date.parse('2026-11-22T10:00:00Z');

describe('parseJiraEvent', () => {
  it('reads a comment_created webhook, body as wiki text or ADF', () => {
    const adf = { type: 'doc', version: 1, content: [] };
    for (const body of ['Fikset i 4.2', adf]) {
      expect(
        parseJiraEvent(
          bytes({
            timestamp,
            webhookEvent: 'comment_created',
            issue: { id: '10001', key: 'DEV-42', fields: { summary: 'x' } },
            comment: { id: '10500', author: { accountId: 'abc', displayName: 'Dev' }, body },
          }),
        ),
      ).toEqual({
        type: 'comment',
        issueKey: 'DEV-42',
        commentId: '10500',
        authorAccountId: 'abc',
        authorName: 'Dev',
        restricted: false,
        body,
        time: new Date(timestamp),
      });
    }
  });

  it('reads a status change from jira:issue_updated', () => {
    const event = parseJiraEvent(
      bytes({
        timestamp,
        webhookEvent: 'jira:issue_updated',
        user: { accountId: 'abc' },
        issue: { key: 'DEV-42' },
        changelog: { id: '777', items: [{ field: 'status', fromString: 'To Do', toString: 'Done' }] },
      }),
    );
    expect(event).toMatchObject({ type: 'status', issueKey: 'DEV-42', changeId: '777', status: 'Done' });
  });

  it('leaves other events alone, including updates without a status change', () => {
    expect(
      parseJiraEvent(bytes({ timestamp, webhookEvent: 'jira:issue_deleted', issue: { key: 'DEV-1' } })).type,
    ).toBe('other');
    const noStatus = {
      timestamp,
      webhookEvent: 'jira:issue_updated',
      issue: { key: 'DEV-1' },
      changelog: { id: '1', items: [{ field: 'labels' }, { field: 'status' }] },
    };
    expect(parseJiraEvent(bytes(noStatus)).type).toBe('other');
  });

  it.each([
    ['not JSON', Buffer.from('{')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['no timestamp', bytes({ webhookEvent: 'comment_created' })],
    [
      'a bad issue key',
      bytes({
        timestamp,
        webhookEvent: 'comment_created',
        issue: { key: '../x' },
        comment: { id: '1', body: '' },
      }),
    ],
  ])('refuses %s with a clear error', (_, body) => {
    expect(() => parseJiraEvent(body)).toThrow(expect.objectContaining({ code: 'INVALID_TICKET' }));
  });
});
