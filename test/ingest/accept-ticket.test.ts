import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import { acceptTicket } from '../../lib/ingest/accept-ticket.ts';
import { OutboxTracker } from '../../lib/tracker/outbox-tracker.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let dynamo: EmbeddedDynamo;
let deps: Awaited<ReturnType<typeof embeddedPseudonymizer>>['deps'];
let tracker: OutboxTracker;

beforeAll(async () => {
  const dir = await tempDir();
  ({ dynamo, deps } = await embeddedPseudonymizer(dir));
  tracker = new OutboxTracker(join(dir, 'outbox.jsonl'));
});
afterAll(() => dynamo.close());

const body = (ticket: object) => Buffer.from(JSON.stringify(ticket));
const ticket = { tenant: 'ballerup', id: 'SD-5', summary: 'Borger 010190-1234', description: 'a@example.dk' };

describe('acceptTicket', () => {
  it('hands the tracker only the sanitized ticket, and reports counts and the issue key', async () => {
    const accepted = await acceptTicket({ tenant: 'ballerup', body: body(ticket) }, { ...deps, tracker });
    expect(accepted).toEqual({ issueKey: 'OUTBOX-1', ticketId: 'SD-5', replaced: { CPR: 1, EMAIL: 1 } });
    const [entry] = await tracker.list();
    expect(JSON.stringify(entry)).not.toMatch(/010190|a@example/);
  });

  it('records a ticket without personal data too, with the issue it became', async () => {
    const plain = { tenant: 'ballerup', id: 'SD-PLAIN', summary: 'Knappen er grå', description: '' };
    const accepted = await acceptTicket({ tenant: 'ballerup', body: body(plain) }, { ...deps, tracker });
    expect(accepted.replaced).toEqual({});
    expect((await deps.vault.getTicket('ballerup', 'SD-PLAIN'))?.issueKey).toBe(accepted.issueKey);
  });

  it('refuses a ticket for another tenant than the authenticated one, and delivers nothing', async () => {
    const before = (await tracker.list()).length;
    const error = await acceptTicket({ tenant: 'egedal', body: body(ticket) }, { ...deps, tracker }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidTicketError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_TICKET, issues: [{ path: 'tenant' }] });
    expect(await tracker.list()).toHaveLength(before);
  });
});
