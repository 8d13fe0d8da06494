import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { sweepExpired } from '../../lib/retention/sweep.ts';
import { sanitizeTicket } from '../../lib/sanitize/sanitize-ticket.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let embedded: Awaited<ReturnType<typeof embeddedPseudonymizer>>;
let dynamo: EmbeddedDynamo;
let audit: DynamoAuditLog;

beforeAll(async () => {
  embedded = await embeddedPseudonymizer(await tempDir());
  dynamo = embedded.dynamo;
  audit = new DynamoAuditLog(dynamo.client);
});
afterAll(() => dynamo.close());

const DAY = 24 * 60 * 60 * 1000;

describe('sweepExpired', () => {
  it('forgets expired tickets and shreds tokens no live ticket uses, reporting counts only', async () => {
    const now = new Date();
    const closed = new Date(now.getTime() - 100 * DAY).toISOString(); // 90-day policy: expired
    const old = await sanitizeTicket(
      {
        tenant: 'ballerup',
        id: 'SD-OLD',
        summary: 'Borger 050505-5555 og 060606-6666',
        description: '',
        closedAt: closed,
      },
      embedded.deps,
    );
    const live = await sanitizeTicket(
      { tenant: 'ballerup', id: 'SD-NEW', summary: 'Borger 060606-6666', description: '' },
      embedded.deps,
    );
    const [onlyOld, shared] = old.ticket.summary.match(/CPR_[A-Z2-7]{16}/g) ?? [];
    expect(live.ticket.summary).toContain(shared);

    // Unreadable as soon as retention ends, before any sweep.
    expect(await embedded.pseudonymizer.reveal('ballerup', onlyOld as string)).toBeUndefined();
    expect(await embedded.pseudonymizer.reveal('ballerup', shared as string)).toEqual({
      kind: 'CPR',
      value: '060606-6666',
    });

    const report = await sweepExpired(embedded.vault, audit, now);
    expect(report).toEqual({ sweptAt: now.toISOString(), tenants: { ballerup: { tickets: 1, tokens: 1 } } });
    const stored = await storedText(dynamo.client);
    expect(stored).not.toContain(onlyOld);
    expect(stored).not.toContain('SD-OLD');
    expect(stored).toContain(shared);
    expect(JSON.stringify(report)).not.toMatch(/CPR_|0505/);
    // The deletion is recorded: which ticket, which tokens it used; the values are gone.
    const records: AuditRecord[] = [];
    for await (const r of audit.list({ action: AuditAction.RETENTION_DELETE })) records.push(r);
    expect(records).toEqual([
      expect.objectContaining({
        actor: 'system:retention-sweep',
        tenant: 'ballerup',
        ticketId: 'SD-OLD',
        tokens: [onlyOld, shared].sort(),
        outcome: 'granted',
        purpose: 'retention ended',
      }),
    ]);

    // Idempotent: a second sweep finds nothing more.
    expect((await sweepExpired(embedded.vault, audit, now)).tenants).toEqual({});
  });

  it('removes everything once the last ticket expires', async () => {
    const later = new Date(Date.now() + 400 * DAY);
    await sweepExpired(embedded.vault, audit, later);
    const stored = await storedText(dynamo.client);
    expect(stored).not.toMatch(/CPR_|TICKET#/);
  });
});
