import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import { parseTicket, TicketLimits, validateTicket } from '../../lib/ticket/generic-ticket.ts';

const minimal = { tenant: 'ballerup', id: 'SD-1', summary: 'Login fejler', description: '' };

function failure(fn: () => unknown): InvalidTicketError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidTicketError) return error;
    throw error;
  }
  throw new Error('expected an InvalidTicketError');
}

describe('generic ticket schema', () => {
  it('accepts the contract example with every optional field', () => {
    const full = {
      ...minimal,
      reporter: { name: 'Jens Hansen', email: 'jens@example.dk' },
      status: 'open',
      priority: 'high',
      created: '2026-09-01T09:00:00Z',
      updated: '2026-09-01T10:00:00+02:00',
      closedAt: null,
      comments: [
        { id: 'c1', author: { name: 'A' }, body: 'x', created: '2026-09-01T09:00:00Z', internal: false },
      ],
      attachments: [{ id: 'a1', filename: 'log.txt', mimeType: 'text/plain', contentBase64: 'aGVq' }],
      labels: ['nexus'],
      fields: { kommune: 'Ballerup', count: 3, urgent: true, none: null },
    };
    expect(validateTicket(full)).toEqual(full);
  });

  it.each([
    [{ ...minimal, cpr: '0101901234' }, '', 'unknown property "cpr"'],
    [{ ...minimal, reporter: { name: 'x', phone: '1' } }, 'reporter', 'unknown property "phone"'],
    [
      { ...minimal, comments: [{ id: 'c', body: 'b', secret: 1 }] },
      'comments.0',
      'unknown property "secret"',
    ],
  ])('rejects an unknown property and names it (%#)', (ticket, path, message) => {
    const error = failure(() => validateTicket(ticket));
    expect(error.code).toBe(ErrorCode.INVALID_TICKET);
    expect(error.issues).toContainEqual({ path, message });
  });

  it.each([
    ['tenant', { ...minimal, tenant: 'Ballerup Kommune' }],
    ['id', { ...minimal, id: 'SD 1' }],
    ['summary', { ...minimal, summary: '' }],
    ['created', { ...minimal, created: 'yesterday' }],
    [
      'attachments.0.contentBase64',
      { ...minimal, attachments: [{ id: 'a', filename: 'f', contentBase64: '@@' }] },
    ],
    ['attachments.0.id', { ...minimal, attachments: [{ id: 'a b', filename: 'f' }] }],
    ['attachments.0.mimeType', { ...minimal, attachments: [{ id: 'a', filename: 'f', mimeType: 'pdf' }] }],
    ['comments.0.id', { ...minimal, comments: [{ id: 'jens hansen', body: 'x' }] }],
  ])('rejects an invalid %s', (path, ticket) => {
    expect(failure(() => validateTicket(ticket)).issues.map((i) => i.path)).toContain(path);
  });

  it('says which required properties are missing', () => {
    const error = failure(() => validateTicket({ tenant: 'x' }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'id', message: 'is required' },
        { path: 'summary', message: 'is required' },
        { path: 'description', message: 'is required' },
      ]),
    );
  });

  it('refuses a field over 256 KiB, counted in UTF-8 bytes', () => {
    const justFits = 'x'.repeat(TicketLimits.maxFieldBytes);
    expect(validateTicket({ ...minimal, description: justFits }).description).toHaveLength(justFits.length);
    // 'æ' is two bytes: fewer characters than the limit, more bytes.
    const tooLong = 'æ'.repeat(TicketLimits.maxFieldBytes / 2 + 1);
    expect(failure(() => validateTicket({ ...minimal, description: tooLong })).issues).toEqual([
      { path: 'description', message: 'longer than 256 KiB' },
    ]);
  });

  it('refuses a ticket over 1 MiB before parsing it', () => {
    const body = JSON.stringify({ ...minimal, description: 'x'.repeat(TicketLimits.maxTicketBytes) });
    const error = failure(() => parseTicket(body));
    expect(error.code).toBe(ErrorCode.TICKET_TOO_LARGE);
    expect(error.message).toMatch(/more than the limit of 1024 KiB/);
  });

  it('never quotes the input in its errors', () => {
    const cpr = '0101901234';
    const errors = [
      failure(() => parseTicket(`{"tenant":"x","summary":"${cpr}"`)),
      failure(() => parseTicket(`{"${cpr}": 1}`.replace(cpr, `x${cpr}`))),
      failure(() => validateTicket({ ...minimal, summary: Number(cpr) })),
      failure(() => validateTicket({ ...minimal, created: cpr })),
      failure(() => validateTicket({ ...minimal, fields: { [`Borger ${cpr}`]: {} } })),
      failure(() => validateTicket({ ...minimal, fields: { [`jens@example.dk${'x'.repeat(130)}`]: 1 } })),
      failure(() => validateTicket({ ...minimal, [`01.01.90-${cpr.slice(6)}`]: 1 })),
    ];
    for (const error of errors) expect(error.message).not.toMatch(/101901234|1234|jens@/);
  });

  it('refuses bytes that are not UTF-8', () => {
    const error = failure(() => parseTicket(Uint8Array.of(0x7b, 0xff, 0x7d)));
    expect(error.message).toBe('body is not valid UTF-8');
  });
});
