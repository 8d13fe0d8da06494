import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../lib/audit/audit-log.ts';
import { DependencyError, ErrorCode } from '../../lib/errors.ts';
import type { ServicedeskReply } from '../../lib/servicedesk/servicedesk-replies.ts';
import type { IssueLinks } from '../../lib/sync/issue-links.ts';
import type { JiraEvent } from '../../lib/sync/jira-event.ts';
import { type WriteBackDeps, writeBack } from '../../lib/sync/write-back.ts';

const CPR = 'CPR_AAAAAAAAAAAAAAAA';
const NAME = 'NAME_BBBBBBBBBBBBBBBB';
const SECRET = 'SECRET_CCCCCCCCCCCCCCCC';
const OTHER = 'NAME_DDDDDDDDDDDDDDDD';
/** A token of the same tenant that another ticket uses. */
const ANOTHER_TICKET = 'CPR_EEEEEEEEEEEEEEEE';

function setup(options: { auditFails?: boolean; writeBack?: boolean } = {}) {
  const posted: ServicedeskReply[] = [];
  const audit: AuditEntry[] = [];
  const marks = new Set<string>();
  const links: IssueLinks = {
    link: async () => undefined,
    ticketOf: async (key) =>
      key === 'DEV-1'
        ? { tenant: 'ballerup', ticketId: 'SD-1', expiresAt: new Date('2027-01-01') }
        : undefined,
    replied: async (key, id) => marks.has(`${key}/${id}`),
    markReplied: async (key, id) => void marks.add(`${key}/${id}`),
  };
  const values: Record<string, string> = {
    [CPR]: '010190-1234',
    [NAME]: 'Mette Hansen',
    [ANOTHER_TICKET]: '020285-5678',
  };
  const deps: WriteBackDeps = {
    links,
    // Only ballerup's tokens have values here: SECRET and another tenant's tokens lead nowhere.
    reveal: async (tenant, token) =>
      tenant === 'ballerup' && values[token] ? { kind: 'NAME', value: values[token] } : undefined,
    tokensOfTicket: async (_tenant, ticketId) => new Set(ticketId === 'SD-1' ? [CPR, NAME, SECRET] : []),
    audit: {
      append: async (entry) => {
        if (options.auditFails) throw new DependencyError(ErrorCode.AUDIT_UNAVAILABLE, 'down');
        audit.push(entry);
        return { ...entry, seq: audit.length, id: `AUD-${audit.length}`, time: '', prevHash: '', hash: '' };
      },
    },
    repliesFor: () => (options.writeBack === false ? undefined : { post: async (r) => void posted.push(r) }),
    isOwnAccount: async (id) => id === 'proxy-bot',
  };
  return { deps, posted, audit };
}

const comment = (body: string, author = 'dev-1', commentId = '100'): JiraEvent => ({
  type: 'comment',
  issueKey: 'DEV-1',
  commentId,
  authorAccountId: author,
  authorName: 'Udvikler',
  restricted: false,
  body,
  time: new Date('2026-11-22T10:00:00Z'),
});

describe('writeBack', () => {
  it("restores the tenant's tokens, audits the re-identification first, and posts the reply", async () => {
    const { deps, posted, audit } = setup();
    const result = await writeBack(
      comment(`${NAME} (${CPR}) skal logge ud. Kode ${SECRET}. Se også ${OTHER} og ${ANOTHER_TICKET}.`),
      deps,
    );
    expect(result).toEqual({
      outcome: 'posted',
      tenant: 'ballerup',
      ticketId: 'SD-1',
      reidentified: 2,
      auditId: 'AUD-1',
    });
    expect(posted[0]?.body).toBe(
      `Mette Hansen (010190-1234) skal logge ud. Kode ${SECRET}. Se også ${OTHER} og ${ANOTHER_TICKET}.`,
    );
    expect(posted[0]).toMatchObject({
      ticketId: 'SD-1',
      issueKey: 'DEV-1',
      event: 'comment',
      sourceId: 'comment:100',
    });
    expect(audit).toEqual([
      {
        actor: 'system:write-back',
        source: 'jira-webhook',
        action: 'write-back',
        tenant: 'ballerup',
        tokens: [NAME, CPR],
        purpose: 'write-back',
        issueKey: 'DEV-1',
        outcome: 'granted',
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain('Mette');
  });

  it('reads ADF comment bodies', async () => {
    const { deps, posted } = setup();
    const body = {
      type: 'doc' as const,
      version: 1 as const,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: `Hej ${NAME}` }] }],
    };
    await writeBack({ ...(comment('') as Extract<JiraEvent, { type: 'comment' }>), body }, deps);
    expect(posted[0]?.body).toBe('Hej Mette Hansen');
  });

  it('posts nothing when the audit record cannot be written', async () => {
    const { deps, posted } = setup({ auditFails: true });
    await expect(writeBack(comment(`Hej ${NAME}`), deps)).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
    expect(posted).toEqual([]);
  });

  it('posts a reply only once, however often Jira delivers it', async () => {
    const { deps, posted } = setup();
    await writeBack(comment('Fikset'), deps);
    expect(await writeBack(comment('Fikset'), deps)).toEqual({
      outcome: 'ignored',
      reason: 'ALREADY_POSTED',
    });
    expect(posted).toHaveLength(1);
  });

  it('sends status changes', async () => {
    const { deps, posted } = setup();
    const status: JiraEvent = {
      type: 'status',
      issueKey: 'DEV-1',
      changeId: '9',
      authorAccountId: 'dev-1',
      authorName: 'Udvikler',
      status: 'Done',
      time: new Date(),
    };
    await writeBack(status, deps);
    expect(posted[0]).toMatchObject({ event: 'status', status: 'Done', sourceId: 'status:9', body: '' });
  });

  it.each([
    ['its own comments (no sync loop)', comment('x', 'proxy-bot'), {}, 'OWN_COMMENT'],
    ['issues it did not create', { ...comment('x'), issueKey: 'DEV-2' }, {}, 'NOT_PROXIED'],
    [
      'comments restricted to a Jira role or group',
      { ...comment(`Intern: ${CPR}`), restricted: true },
      {},
      'RESTRICTED',
    ],
    ['tenants without write-back', comment('x'), { writeBack: false }, 'NO_WRITE_BACK'],
    ['other events', { type: 'other', time: new Date() }, {}, 'NOT_A_REPLY'],
  ] as const)('ignores %s', async (_, event, options, reason) => {
    const { deps, posted, audit } = setup(options);
    expect(await writeBack(event as JiraEvent, deps)).toEqual({ outcome: 'ignored', reason });
    expect(posted).toEqual([]);
    expect(audit).toEqual([]);
  });
});
