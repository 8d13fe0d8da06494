import { describe, expect, it } from 'vitest';
import { attachmentsOf, commentsOf, issueContentOf } from '../../lib/sync/issue-content.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';
import { assertValidAdf } from '../support/adf-schema.ts';

const job: SyncJob = {
  tenant: 'ballerup',
  ticketId: 'SD-7',
  eventId: 'e',
  receivedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2027-05-22T10:00:00.000Z',
  ticket: {
    tenant: 'ballerup',
    id: 'SD-7',
    summary: 'NAME_AAAAAAAAAAAAAAAA kan ikke logge ind',
    description: 'Se vedhæftede log.\n\nMvh NAME_BBBBBBBBBBBBBBBB',
    status: 'open',
    priority: 'high',
    labels: ['nexus login', 'akut'],
    fields: { Fagsystem: 'Nexus', Sagsnummer: 42, Tom: null },
    comments: [
      {
        id: 'c1',
        author: { name: 'NAME_CCCCCCCCCCCCCCCC' },
        body: 'Prøvet igen',
        created: '2026-11-22T09:00:00Z',
      },
      { id: 'c2', body: 'Intern note', internal: true },
    ],
    attachments: [
      {
        id: 'a1',
        filename: 'log.txt',
        mimeType: 'text/plain',
        contentBase64: Buffer.from('linje 1').toString('base64'),
      },
      { id: 'a2', filename: 'skærmbillede.png', mimeType: 'image/png', withheld: true, size: 20480 },
    ],
  },
};

describe('issueContentOf', () => {
  const content = issueContentOf(job, {
    includeInternalComments: false,
    ticketUrl: 'https://sd.example.dk/t/{id}',
  });

  it('gives valid ADF with the description and the servicedesk fields', () => {
    assertValidAdf(content.description);
    const text = JSON.stringify(content.description);
    expect(text).toContain('Mvh NAME_BBBBBBBBBBBBBBBB');
    expect(text).toContain('Status: open');
    expect(text).toContain('Fagsystem: Nexus');
    expect(text).toContain('Sagsnummer: 42');
    expect(text).not.toContain('Tom');
  });

  it('labels the issue for the proxy and the tenant, with the ticket labels made valid Jira labels', () => {
    expect(content.labels).toEqual(['ticket-proxy', 'tenant-ballerup', 'nexus_login', 'akut']);
  });

  it('links back to the servicedesk ticket and carries the retention expiry', () => {
    expect(content.source).toEqual({
      tenant: 'ballerup',
      ticketId: 'SD-7',
      url: 'https://sd.example.dk/t/SD-7',
    });
    expect(content.expiresAt.toISOString()).toBe('2027-05-22T10:00:00.000Z');
  });

  it('prefers the sanitized ADF of the description when the servicedesk sent one', () => {
    const adf = { type: 'doc' as const, version: 1 as const, content: [{ type: 'rule' }] };
    const withAdf = issueContentOf({ ...job, adf: { description: adf } }, { includeInternalComments: false });
    expect(withAdf.description?.content[0]).toEqual({ type: 'rule' });
  });

  it('leaves the description out when the event did not carry it', () => {
    expect(
      issueContentOf({ ...job, descriptionOmitted: true }, { includeInternalComments: false }).description,
    ).toBeUndefined();
  });
});

describe('commentsOf', () => {
  it('leaves internal comments out unless the tenant includes them, and heads each with its author', () => {
    expect(commentsOf(job, { includeInternalComments: false }).map((c) => c.sourceId)).toEqual(['c1']);
    const all = commentsOf(job, { includeInternalComments: true });
    expect(all.map((c) => c.sourceId)).toEqual(['c1', 'c2']);
    for (const c of all) assertValidAdf(c.body);
    expect(JSON.stringify(all[0]?.body)).toContain('NAME_CCCCCCCCCCCCCCCC (2026-11-22T09:00:00Z):');
    expect(JSON.stringify(all[1]?.body)).toContain('[intern]');
  });
});

describe('attachmentsOf', () => {
  it('uploads text attachments and replaces withheld ones by a note with name and size', () => {
    const { files, withheld } = attachmentsOf(job);
    expect(files).toEqual([
      { sourceId: 'a1', filename: 'log.txt', mimeType: 'text/plain', content: Buffer.from('linje 1') },
    ]);
    expect(withheld).toHaveLength(1);
    expect(withheld[0]?.sourceId).toBe('attachment:a2');
    assertValidAdf(withheld[0]?.body);
    expect(JSON.stringify(withheld[0]?.body)).toContain('skærmbillede.png, 20.0 KiB');
  });
});
