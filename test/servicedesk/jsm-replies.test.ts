import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DependencyError, ErrorCode, ServicedeskRejectedError } from '../../lib/errors.ts';
import {
  JsmReplies,
  type JsmRepliesOptions,
  REPLY_PROPERTY_KEY,
  replyText,
} from '../../lib/servicedesk/jsm-replies.ts';
import type { ServicedeskReply } from '../../lib/servicedesk/servicedesk-replies.ts';
import { FakeJira } from '../support/fake-jira.ts';

const credentials = { email: 'desk@example.invalid', apiToken: 'desk-token' };
const jsm = new FakeJira({ credentials });
beforeAll(() => jsm.start());
afterAll(() => jsm.stop());
let requestKey = '';
beforeEach(() => {
  jsm.reset();
  requestKey = jsm.seedIssue('SD', { summary: 'Kan ikke logge ind' }).key;
});
afterEach(() => {
  expect(jsm.adfErrors).toEqual([]);
});

let waits: number[] = [];
const replies = (options: JsmRepliesOptions = {}) => {
  waits = [];
  return new JsmReplies(
    { baseUrl: jsm.url, ...credentials },
    { sleep: async (ms) => void waits.push(ms), ...options },
  );
};
const reply = (overrides: Partial<ServicedeskReply> = {}): ServicedeskReply => ({
  tenant: 'ballerup',
  ticketId: requestKey,
  issueKey: 'DEV-4',
  event: 'comment',
  sourceId: '10042',
  body: 'Vi har rettet fejlen for Mette Frederiksen Holm.',
  author: 'Anna Udvikler',
  time: '2026-11-02T10:00:00Z',
  ...overrides,
});

describe('JsmReplies (real jira.js, loopback Jira Service Management)', () => {
  it('posts the reply as a public comment, signed by its author, and records which reply it is', async () => {
    await replies().post(reply());
    const [comment, ...rest] = jsm.issue(requestKey).comments;
    expect(rest).toEqual([]);
    expect(comment?.jsdPublic).toBe(true);
    expect(comment?.properties.get('sd.public.comment')).toEqual({ internal: false });
    expect(comment?.properties.get(REPLY_PROPERTY_KEY)).toEqual({
      event: 'comment',
      sourceId: '10042',
      issueKey: 'DEV-4',
    });
    const text = JSON.stringify(comment?.body);
    expect(text).toContain('"text":"Anna Udvikler:"');
    expect(text).toContain('Mette Frederiksen Holm');
  });

  it('writes a status change as a Danish line', () => {
    expect(replyText(reply({ event: 'status', status: 'I gang', body: '' }))).toBe(
      'Anna Udvikler:\nUdviklingsstatus: I gang',
    );
    expect(
      replyText(reply({ event: 'status', status: 'Løst', body: 'Se vejledning', author: undefined })),
    ).toBe('Udvikling:\nUdviklingsstatus: Løst\n\nSe vejledning');
  });

  it('posts each reply once, even on another page of comments', async () => {
    jsm.commentPageLimit = 2;
    for (let i = 0; i < 3; i++) jsm.addForeignComment(requestKey, `Kunde ${i}`);
    const desk = replies();
    await desk.post(reply());
    await desk.post(reply());
    // A status change whose changelog id equals a comment id is another reply.
    await desk.post(reply({ event: 'status', status: 'Løst', body: '' }));
    await desk.post(reply({ event: 'status', status: 'Løst', body: '' }));
    expect(jsm.issue(requestKey).comments).toHaveLength(5);
  });

  it('posts once when the servicedesk took the reply but the answer was lost', async () => {
    jsm.failures.push({ status: 502, body: {}, afterApplying: true, match: /^POST / });
    await replies().post(reply());
    expect(jsm.issue(requestKey).comments).toHaveLength(1);
  });

  it('retries 429 and 5xx, honouring Retry-After', async () => {
    jsm.failures.push({ status: 429, body: {}, headers: { 'Retry-After': '2' } }, { status: 500, body: {} });
    await replies().post(reply());
    expect(jsm.issue(requestKey).comments).toHaveLength(1);
    expect(waits[0]).toBe(2_000);
    expect(waits).toHaveLength(2);
  });

  it('reports a servicedesk that stays down as SERVICEDESK_UNAVAILABLE, retryable', async () => {
    jsm.down = true;
    const error = await replies()
      .post(reply())
      .catch((e) => e);
    jsm.down = false;
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: ErrorCode.SERVICEDESK_UNAVAILABLE, retryable: true });
    expect(jsm.requests).toHaveLength(4);
  });

  it('reports a refusal at once, not retryable, without quoting the answer or the reply', async () => {
    const error = await replies()
      .post(reply({ ticketId: 'SD-999' }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ServicedeskRejectedError);
    expect(error).toMatchObject({ status: 404, code: ErrorCode.SERVICEDESK_REJECTED, retryable: false });
    expect(error.message).not.toMatch(/Mette|does not exist/);
    expect(jsm.requests).toHaveLength(1);
  });

  it('refuses a ticket id that is not a request key before sending anything', async () => {
    await expect(replies().post(reply({ ticketId: '../../myself' }))).rejects.toBeInstanceOf(
      ServicedeskRejectedError,
    );
    expect(jsm.requests).toEqual([]);
  });
});
