import { z } from 'zod';
import { defaultDetectors, detectSpans } from '../detect/detect.ts';
import { ErrorCode, InvalidTicketError, type TicketIssue } from '../errors.ts';

export { TENANT_PATTERN, TicketLimits } from './ticket-limits.ts';

import { TENANT_PATTERN, TicketLimits } from './ticket-limits.ts';

const utf8 = new TextEncoder();
const kib = (bytes: number) => `${bytes / 1024} KiB`;

const text = z.string().refine(
  // Characters are at most 3 UTF-8 bytes per UTF-16 unit, so short strings skip the byte count.
  (s) =>
    s.length * 3 <= TicketLimits.maxFieldBytes || utf8.encode(s).byteLength <= TicketLimits.maxFieldBytes,
  { message: `longer than ${kib(TicketLimits.maxFieldBytes)}` },
);
const timestamp = z.iso.datetime({ offset: true });
const person = z.strictObject({ name: text.optional(), email: text.optional() });

/** Identifiers pass to Jira unchanged, so they are held to a narrow alphabet. */
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9._:#/-]{1,128}$/, 'must be 1-128 characters of A-Z, a-z, 0-9 and . _ : # / -');

const comment = z.strictObject({
  id: identifier,
  author: person.optional(),
  body: text,
  created: timestamp.optional(),
  internal: z.boolean().optional(),
});

const attachment = z.strictObject({
  id: identifier,
  filename: text.pipe(z.string().min(1).max(255)),
  /** `type/subtype`, optionally with parameters; only `type/subtype` is passed on. */
  mimeType: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+\s*(;.*)?$/, 'must be a media type such as text/plain')
    .optional(),
  contentBase64: z.base64().optional(),
  /** Set by the sanitizer when the content could not be sanitized and was dropped. */
  withheld: z.boolean().optional(),
  /** Bytes of the content the sanitizer withheld, for the note developers see in its place. */
  size: z.number().int().nonnegative().optional(),
});

export const genericTicketSchema = z.strictObject({
  tenant: z.string().regex(TENANT_PATTERN, 'must be 1-64 characters of a-z, 0-9 and -'),
  id: identifier,
  summary: text.pipe(z.string().min(1, 'must not be empty')),
  description: text,
  reporter: person.optional(),
  status: z.string().max(64).optional(),
  priority: z.string().max(64).optional(),
  created: timestamp.optional(),
  updated: timestamp.optional(),
  closedAt: timestamp.nullable().optional(),
  comments: z.array(comment).max(TicketLimits.maxComments).optional(),
  attachments: z.array(attachment).max(TicketLimits.maxAttachments).optional(),
  labels: z
    .array(text.pipe(z.string().max(255)))
    .max(TicketLimits.maxLabels)
    .optional(),
  fields: z
    .record(z.string().min(1).max(128), z.union([text, z.number(), z.boolean(), z.null()]))
    .refine((f) => Object.keys(f).length <= TicketLimits.maxCustomFields, {
      message: `more than ${TicketLimits.maxCustomFields} fields`,
    })
    .optional(),
});

export type GenericTicket = z.infer<typeof genericTicketSchema>;
export type TicketComment = z.infer<typeof comment>;
export type TicketAttachment = z.infer<typeof attachment>;

/**
 * Validates an already-decoded value as a generic ticket.
 * @throws InvalidTicketError naming every offending property (never its value).
 */
export function validateTicket(value: unknown): GenericTicket {
  const result = genericTicketSchema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidTicketError(result.error.issues.map(toTicketIssue));
}

/**
 * Decodes and validates one ticket from raw JSON (a string or UTF-8 bytes).
 * @throws InvalidTicketError with code TICKET_TOO_LARGE past {@link TicketLimits.maxTicketBytes},
 *   or INVALID_TICKET for bad UTF-8, bad JSON or a schema violation.
 */
export function parseTicket(raw: string | Uint8Array): GenericTicket {
  const bytes = typeof raw === 'string' ? utf8.encode(raw).byteLength : raw.byteLength;
  if (bytes > TicketLimits.maxTicketBytes) {
    throw new InvalidTicketError(
      [
        {
          path: '',
          message: `ticket is ${bytes} bytes, more than the limit of ${kib(TicketLimits.maxTicketBytes)}`,
        },
      ],
      ErrorCode.TICKET_TOO_LARGE,
    );
  }
  let textValue: string;
  if (typeof raw === 'string') {
    textValue = raw;
  } else {
    try {
      textValue = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new InvalidTicketError([{ path: '', message: 'body is not valid UTF-8' }]);
    }
  }
  return validateTicket(parseJson(textValue));
}

/** JSON.parse whose error names the position but, unlike V8's message, never quotes the input. */
export function parseJson(textValue: string): unknown {
  if (textValue.trim() === '') throw new InvalidTicketError([{ path: '', message: 'empty, not a ticket' }]);
  try {
    return JSON.parse(textValue);
  } catch (error) {
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    throw new InvalidTicketError([{ path: '', message: `not valid JSON${where}` }]);
  }
}

const looksPersonal = (key: string) => /\d{6}|@/.test(key) || detectSpans(key, defaultDetectors).length > 0;

/** A property name as errors quote it: never one that looks like personal data. */
const quoteKey = (key: string) =>
  looksPersonal(key) ? '(a name that looks like personal data)' : JSON.stringify(key.slice(0, 64));

/**
 * A zod issue in this module's words. Property names come from the sender and appear in paths and in
 * "unknown property" messages, so a name that looks like personal data is withheld.
 */
export function toTicketIssue(issue: z.core.$ZodIssue): TicketIssue {
  // Custom field names are chosen by the sender and appear in paths, so they are checked too.
  const path = issue.path
    .map((p) => (typeof p === 'string' && looksPersonal(p) ? '(withheld)' : String(p).slice(0, 64)))
    .join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map(quoteKey).join(', ');
    return { path, message: `unknown propert${issue.keys.length === 1 ? 'y' : 'ies'} ${keys}` };
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return { path, message: 'is required' };
  }
  return { path, message: issue.message };
}
