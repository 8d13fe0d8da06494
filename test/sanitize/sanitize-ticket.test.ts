import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import type { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { TOKEN_PATTERN } from '../../lib/pseudonymize/token.ts';
import { type SanitizeDeps, sanitizeTicket } from '../../lib/sanitize/sanitize-ticket.ts';
import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { assertValidAdf } from '../support/adf-schema.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import { type PlantedTicket, plantedTickets } from '../support/tickets.ts';

const tempDir = useTempDirs();
let dynamo: EmbeddedDynamo;
let pseudonymizer: Pseudonymizer;
let deps: SanitizeDeps;

beforeAll(async () => {
  ({ dynamo, pseudonymizer, deps } = await embeddedPseudonymizer(await tempDir()));
});
afterAll(() => dynamo.close());

const base: GenericTicket = { tenant: 'ballerup', id: 'SD-1', summary: 'Fejl', description: '' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('sanitizeTicket', () => {
  it('replaces every planted value in every field, and the vault holds none of them in plaintext', async () => {
    for (const { ticket, planted, cprDigits, emails } of plantedTickets(40)) {
      const { ticket: sanitized } = await sanitizeTicket(ticket, deps);
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
      deps,
    );
    expect(ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16} og EMAIL_[A-Z2-7]{16}$/);
    expect(ticket.description).toBe('Ingen data her.');
    expect(replaced).toEqual({ CPR: 1, EMAIL: 1 });
  });

  it('is idempotent: a sanitized ticket comes back unchanged', async () => {
    const { ticket } = plantedTickets(1, 7)[0] as PlantedTicket;
    const once = (await sanitizeTicket(ticket, deps)).ticket;
    const twice = await sanitizeTicket(once, deps);
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
      deps,
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
        fields: {
          note: 'mail a@example.dk',
          cpr: 101901234,
          fullCpr: 2203672345,
          mobil: 20304050,
          count: 3,
          ok: true,
          none: null,
        },
      },
      deps,
    );
    expect(ticket.labels?.[0]).toMatch(/^borger-CPR_/);
    expect(ticket.fields?.note).toMatch(/^mail EMAIL_/);
    expect(ticket.fields?.cpr).toMatch(/^CPR_/);
    expect(ticket.fields?.fullCpr).toMatch(/^CPR_/);
    expect(ticket.fields?.mobil).toMatch(/^PHONE_/);
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
      deps,
    );
    const [log, json, pdf, bad] = ticket.attachments ?? [];
    expect(log?.filename).toMatch(/^borger-CPR_[A-Z2-7]{16}\.log$/);
    expect(Buffer.from(log?.contentBase64 ?? '', 'base64').toString()).toMatch(/^cpr=CPR_/);
    expect(Buffer.from(json?.contentBase64 ?? '', 'base64').toString()).toMatch(/"mail":"EMAIL_/);
    expect(pdf).toEqual({
      id: 'a3',
      filename: 'scan.pdf',
      mimeType: 'application/pdf',
      withheld: true,
      size: expect.any(Number),
    });
    expect(bad?.withheld).toBe(true);
    expect(bad?.contentBase64).toBeUndefined();
  });

  it.each<[string, Partial<GenericTicket>, string]>([
    ['status', { status: 'venter på 0101901234' }, 'status'],
    ['the ticket id', { id: 'SD-0101901234' }, 'id'],
    ['a comment id', { comments: [{ id: 'jens@example.dk', body: 'x' }] }, 'comments.0.id'],
    ['an attachment id', { attachments: [{ id: '0101901234', filename: 'a.txt' }] }, 'attachments.0.id'],
    [
      'a media type',
      { attachments: [{ id: 'a', filename: 'a', mimeType: 'x/0101901234' }] },
      'attachments.0.mimeType',
    ],
    ['a field name', { fields: { 'Borger 0101901234': 'x' } }, 'fields'],
  ])(
    'refuses personal data in %s, which passes to Jira unchanged, naming the place only',
    async (_case, part, path) => {
      const error = await sanitizeTicket({ ...base, ...part }, deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTicketError);
      expect((error as InvalidTicketError).issues.map((i) => i.path)).toEqual([path]);
      expect(String((error as Error).message)).not.toMatch(/0101901234|jens@example/);
    },
  );

  it('takes numeric ids for the ids they are, not phone numbers (Zendesk numbers its tickets)', async () => {
    const { ticket } = await sanitizeTicket(
      { ...base, id: '35436123', comments: [{ id: '90010012', body: 'x' }] },
      deps,
    );
    expect(ticket.id).toBe('35436123');
    expect(ticket.comments?.[0]?.id).toBe('90010012');
  });

  it('does not refuse a pass-through value that merely equals a known name', async () => {
    const { ticket } = await sanitizeTicket({ ...base, priority: 'High', reporter: { name: 'High' } }, deps);
    expect(ticket.priority).toBe('High');
  });

  it('keeps only type/subtype of a media type, whose parameters can repeat the file name', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        attachments: [
          { id: 'a', filename: 'x.pdf', mimeType: 'Application/PDF; name="borger 010190-1234.pdf"' },
        ],
      },
      deps,
    );
    expect(ticket.attachments?.[0]?.mimeType).toBe('application/pdf');
  });

  it('sees through invisible characters and other Unicode forms', async () => {
    const { ticket } = await sanitizeTicket(
      { ...base, description: 'CPR 0101\u00ad90\u200b1234, mail rene\u0301@example.dk' },
      deps,
    );
    expect(ticket.description).toMatch(/^CPR CPR_[A-Z2-7]{16}, mail EMAIL_[A-Z2-7]{16}$/);
  });

  it('replaces credentials with SECRET tokens and never stores them', async () => {
    const payload = Buffer.from(JSON.stringify({ 'dk.cpr': '0101901234' })).toString('base64url');
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${payload}.c2lnbmF0dXJlc2lnbmF0dXJl`;
    const { ticket } = await sanitizeTicket({ ...base, description: `Authorization: Bearer ${jwt}` }, deps);
    const [secret] = ticket.description.match(/SECRET_[A-Z2-7]{16}/) ?? [];
    expect(ticket.description).toBe(`Authorization: Bearer ${secret}`);
    expect(await pseudonymizer.reveal('ballerup', secret as string)).toBeUndefined();
  });

  it('withholds text attachments in UTF-16, which the detectors cannot read', async () => {
    const utf16 = Buffer.from('cpr=0101901234 mail=jens@example.dk', 'utf16le').toString('base64');
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        attachments: [{ id: 'a', filename: 'log.txt', mimeType: 'text/plain', contentBase64: utf16 }],
      },
      deps,
    );
    expect(ticket.attachments?.[0]).toEqual({
      id: 'a',
      filename: 'log.txt',
      mimeType: 'text/plain',
      withheld: true,
      size: 70,
    });
  });

  it('refuses a ticket that would break the schema once sanitized (tokens are longer than values)', async () => {
    const label = `${'x'.repeat(240)}0101901234`;
    const error = await sanitizeTicket({ ...base, labels: [label] }, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTicketError);
    expect((error as Error).message).toMatch(/^labels\.0: once sanitized, /);
  });

  it('refuses to return a text in which what was written in place of a value can still be seen', async () => {
    const ticket = { ...base, summary: 'Borger 010190-1234', description: 'Ring til jens@example.dk' };
    // Written in as the pseudonymizer answers: a token, unless it is broken and answers a phone number.
    const writing = (broken: boolean) =>
      ({
        tokenize: async (_ticket: unknown, values: readonly unknown[]) =>
          values.map(() => (broken ? '20 30 40 50' : 'CPR_AAAABBBBCCCCDDDD')),
      }) as unknown as Pseudonymizer;
    const sound = await sanitizeTicket(ticket, { ...deps, pseudonymizer: writing(false) });
    expect(sound.ticket.summary).toBe('Borger CPR_AAAABBBBCCCCDDDD');
    const error = await sanitizeTicket(ticket, { ...deps, pseudonymizer: writing(true) }).catch((e) => e);
    expect(error).toMatchObject({
      code: ErrorCode.SANITIZE_FAILED,
      message: 'personal data survived sanitizing',
    });
  });

  it('counts retention from when a ticket was first seen, when it does not say when it was created', async () => {
    const day = 24 * 60 * 60 * 1000;
    const t0 = new Date('2026-11-01T00:00:00Z');
    const open = { ...base, id: 'SD-FIRST-SEEN', summary: 'Borger 080808-8888' };
    const first = await sanitizeTicket(open, { ...deps, now: () => t0 });
    const later = await sanitizeTicket(open, { ...deps, now: () => new Date(t0.getTime() + 30 * day) });
    expect(later.expiresAt.getTime()).toBe(first.expiresAt.getTime());
    const closed = await sanitizeTicket(
      { ...open, closedAt: new Date(t0.getTime() + 40 * day).toISOString() },
      { ...deps, now: () => new Date(t0.getTime() + 40 * day) },
    );
    expect(closed.expiresAt.getTime()).toBe(t0.getTime() + 130 * day);
  });

  it('replaces names in free text that no structured field announces, and keeps ordinary words', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        summary: 'Fejl for Jens Hansen',
        description: 'Hej Fatima\nBorgeren bor ved skov og holm og ringer per dag.\nMvh\nBallerup Kommune',
      },
      deps,
    );
    expect(ticket.summary).toMatch(/^Fejl for NAME_[A-Z2-7]{16}$/);
    expect(ticket.description).toMatch(
      /^Hej NAME_[A-Z2-7]{16}\nBorgeren bor ved skov og holm og ringer per dag\.\nMvh\nBallerup Kommune$/,
    );
  });

  it('finds a name found in one field wherever another field mentions it', async () => {
    const { ticket } = await sanitizeTicket(
      {
        ...base,
        description: 'Skov siger, at det virker igen. Skoven er smuk.',
        comments: [{ id: 'c1', body: 'Tak.\nMvh Per Skov' }],
      },
      deps,
    );
    expect(ticket.description).toMatch(/^NAME_[A-Z2-7]{16} siger, at det virker igen\. Skoven er smuk\.$/);
    expect(ticket.comments?.[0]?.body).toMatch(/^Tak\.\nMvh NAME_[A-Z2-7]{16}$/);
  });

  it('sanitizes ADF and wiki documents with the ticket: one token per value, valid ADF out', async () => {
    const adf = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Borger 0101' },
            { type: 'text', text: '90-1234', marks: [{ type: 'strong' }] },
            { type: 'text', text: ', skriv til ' },
            {
              type: 'text',
              text: 'Jens',
              marks: [{ type: 'link', attrs: { href: 'mailto:jens@kommune.dk' } }],
            },
          ],
        },
      ],
    };
    const wiki = '*Fejl* for [~mette.larsen] og 010190-1234: {code}cpr=0101901234{code}';
    const { ticket, documents } = await sanitizeTicket(
      { ...base, id: 'SD-DOC', description: 'CPR 010190-1234', reporter: { name: 'Jens Hansen' } },
      deps,
      [
        { format: 'adf', content: adf },
        { format: 'wiki', content: wiki },
      ],
    );
    const cprToken = /CPR_[A-Z2-7]{16}/.exec(ticket.description)?.[0] as string;
    const out = JSON.stringify(documents);
    assertValidAdf(documents[0]);
    expect(out).not.toMatch(/0101|1234|jens@|Jens|mette/);
    expect(out.split(cprToken).length - 1).toBe(3);
    expect(documents[1]).toMatch(
      /^\*Fejl\* for @NAME_[A-Z2-7]{16} og CPR_[A-Z2-7]{16}: \{code\}cpr=CPR_[A-Z2-7]{16}\{code\}$/,
    );
  });

  it('sanitizes mentions of display names in ADF and wiki markup', async () => {
    const mention = (text: string) => ({ type: 'mention', attrs: { id: '5b10ac8d82e05b22cc7d4ef5', text } });
    const adf = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [mention('@Mette Larsen'), { type: 'text', text: ' og ' }, mention('@mette')],
        },
      ],
    };
    const { documents } = await sanitizeTicket({ ...base, id: 'SD-MENTION' }, deps, [
      { format: 'adf', content: adf },
      { format: 'wiki', content: 'Spurgt [~Mette Larsen] og [~Mette]' },
    ]);
    assertValidAdf(documents[0]);
    expect(JSON.stringify(documents)).not.toMatch(/mette|larsen/i);
  });

  it('reads full-width digits and at signs as what they are', async () => {
    const { ticket } = await sanitizeTicket(
      { ...base, id: 'SD-WIDE', description: 'cpr ２２０３６７-２３４５, mail jens＠kommune.dk' },
      deps,
    );
    expect(ticket.description).toMatch(/^cpr CPR_[A-Z2-7]{16}, mail EMAIL_[A-Z2-7]{16}$/);
  });

  it('refuses a document that is not what its format says, before anything is stored', async () => {
    await expect(
      sanitizeTicket({ ...base, id: 'SD-BADDOC' }, deps, [{ format: 'adf', content: { type: 'doc' } }]),
    ).rejects.toMatchObject({ code: 'INVALID_DOCUMENT' });
    expect(await deps.vault.getTicket('ballerup', 'SD-BADDOC')).toBeUndefined();
  });

  it('counts every token it writes', async () => {
    const { ticket } = plantedTickets(1, 3)[0] as PlantedTicket;
    const { ticket: sanitized, replaced } = await sanitizeTicket(ticket, deps);
    const tokens = JSON.stringify(sanitized).match(TOKEN_PATTERN) ?? [];
    expect(Object.values(replaced).reduce((a, b) => a + (b ?? 0), 0)).toBe(tokens.length);
  });
});
