import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { InvalidTicketError } from '../../lib/errors.ts';
import type { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { TOKEN_PATTERN } from '../../lib/pseudonymize/token.ts';
import { sanitizeTicket } from '../../lib/sanitize/sanitize-ticket.ts';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import { type PlantedTicket, plantedTickets } from '../support/tickets.ts';

const tempDir = useTempDirs();
let dynamo: EmbeddedDynamo;
let pseudonymizer: Pseudonymizer;

beforeAll(async () => {
  ({ dynamo, pseudonymizer } = await embeddedPseudonymizer(await tempDir()));
});
afterAll(() => dynamo.close());

const base: GenericTicket = { tenant: 'ballerup', id: 'SD-1', summary: 'Fejl', description: '' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('sanitizeTicket', () => {
  it('replaces every planted value in every field, and the vault holds none of them in plaintext', async () => {
    for (const { ticket, planted, cprDigits, emails } of plantedTickets(40)) {
      const { ticket: sanitized } = await sanitizeTicket(ticket, { pseudonymizer });
      const out = JSON.stringify(sanitized);
      for (const value of [...planted, ...cprDigits]) expect(out).not.toContain(value);
      expect(sanitized.id).toBe(ticket.id);
      expect(sanitized.status).toBe('open');
      expect(emails.length).toBeGreaterThan(0);
    }
    const stored = await storedText(dynamo.client);
    for (const { cprDigits, emails, planted } of plantedTickets(40)) {
      for (const value of [...cprDigits, ...emails, ...planted]) expect(stored).not.toContain(value);
    }
  });

  it('keeps the text around the tokens and reports counts, not values', async () => {
    const { ticket, replaced } = await sanitizeTicket(
      { ...base, summary: 'Borger 010190-1234 og jens@example.dk', description: 'Ingen data her.' },
      { pseudonymizer },
    );
    expect(ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16} og EMAIL_[A-Z2-7]{16}$/);
    expect(ticket.description).toBe('Ingen data her.');
    expect(replaced).toEqual({ CPR: 1, EMAIL: 1 });
  });

  it('is idempotent: a sanitized ticket comes back unchanged', async () => {
    const { ticket } = plantedTickets(1, 7)[0] as PlantedTicket;
    const once = (await sanitizeTicket(ticket, { pseudonymizer })).ticket;
    const twice = await sanitizeTicket(once, { pseudonymizer });
    expect(twice.ticket).toEqual(once);
    expect(twice.replaced).toEqual({});
  });

  it('replaces reporter and author fields whole, and their mentions in the text', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        description: 'Hej Lise Lotte Østergaard, se vedhæftede.',
        reporter: { name: 'Lise Lotte Østergaard', email: 'LISE@example.dk' },
        comments: [
          { id: 'c1', author: { name: 'Lise Lotte Østergaard' }, body: 'Mvh\nLise Lotte Østergaard' },
        ],
      },
      { pseudonymizer },
    );
    const name = ticket.reporter?.name;
    expect(name).toMatch(/^NAME_/);
    expect(ticket.description).toBe(`Hej ${name}, se vedhæftede.`);
    expect(ticket.comments?.[0]?.author?.name).toBe(name);
    expect(ticket.comments?.[0]?.body).toBe(`Mvh\n${name}`);
    expect(ticket.reporter?.email).toMatch(/^EMAIL_/);
  });

  it('sanitizes labels, custom fields and a CPR number typed into a numeric field', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        labels: ['borger-0101901234'],
        fields: { note: 'mail a@example.dk', cpr: 101901234, count: 3, ok: true, none: null },
      },
      { pseudonymizer },
    );
    expect(ticket.labels?.[0]).toMatch(/^borger-CPR_/);
    expect(ticket.fields?.note).toMatch(/^mail EMAIL_/);
    expect(ticket.fields?.cpr).toMatch(/^CPR_/);
    expect(ticket.fields).toMatchObject({ count: 3, ok: true, none: null });
  });

  it('sanitizes text attachments and withholds what cannot be read as text', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        attachments: [
          {
            id: 'a1',
            filename: 'borger-0101901234.log',
            mimeType: 'text/plain',
            contentBase64: b64('cpr=0101901234'),
          },
          { id: 'a2', filename: 'data.json', contentBase64: b64('{"mail":"a@example.dk"}') },
          {
            id: 'a3',
            filename: 'scan.pdf',
            mimeType: 'application/pdf',
            contentBase64: b64('%PDF-1.7 0101901234'),
          },
          {
            id: 'a4',
            filename: 'bad.txt',
            mimeType: 'text/plain',
            contentBase64: Buffer.of(0xff, 0xfe).toString('base64'),
          },
        ],
      },
      { pseudonymizer },
    );
    const [log, json, pdf, bad] = ticket.attachments ?? [];
    expect(log?.filename).toMatch(/^borger-CPR_[A-Z2-7]{16}\.log$/);
    expect(Buffer.from(log?.contentBase64 ?? '', 'base64').toString()).toMatch(/^cpr=CPR_/);
    expect(Buffer.from(json?.contentBase64 ?? '', 'base64').toString()).toMatch(/"mail":"EMAIL_/);
    expect(pdf).toEqual({ id: 'a3', filename: 'scan.pdf', mimeType: 'application/pdf', withheld: true });
    expect(bad?.withheld).toBe(true);
    expect(bad?.contentBase64).toBeUndefined();
  });

  it('refuses personal data in fields that pass to Jira unchanged, naming the field only', async () => {
    const error = await sanitizeTicket({ ...base, status: 'venter på 0101901234' }, { pseudonymizer }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidTicketError);
    expect((error as InvalidTicketError).issues).toEqual([
      { path: 'status', message: 'holds personal data (CPR) but is passed to Jira unchanged' },
    ]);
    expect(String((error as Error).message)).not.toContain('0101901234');
  });

  it('counts every token it writes', async () => {
    const { ticket } = plantedTickets(1, 3)[0] as PlantedTicket;
    const { ticket: sanitized, replaced } = await sanitizeTicket(ticket, { pseudonymizer });
    const tokens = JSON.stringify(sanitized).match(TOKEN_PATTERN) ?? [];
    expect(Object.values(replaced).reduce((a, b) => a + (b ?? 0), 0)).toBe(tokens.length);
  });
});
