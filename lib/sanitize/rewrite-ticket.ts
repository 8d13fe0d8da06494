import type { GenericTicket, TicketAttachment } from '../ticket/generic-ticket.ts';

/** What a string in a ticket is: free text, or a field that is wholly a name or an e-mail address. */
export type FieldRole = 'text' | 'name' | 'email';

/**
 * Returns the new form of one string, given its role and its dotted path in the ticket
 * (`comments.0.body`). Called in a fixed order, so two passes see the same strings.
 */
export type Rewrite = (value: string, role: FieldRole, path: string) => string;

const TEXT_MIME =
  /^(text\/|application\/(json|xml|csv|x-ndjson|x-yaml|yaml)\b|application\/[\w.+-]+\+(json|xml)\b)/i;
const TEXT_EXTENSION = /\.(txt|log|csv|tsv|json|ndjson|xml|ya?ml|md|ini|conf|properties)$/i;

/**
 * Applies `rewrite` to every string in a ticket that can carry personal data (CONTRACTS.md §1) and
 * returns the rewritten copy. tenant, id, timestamps, status and priority pass unchanged.
 * Attachment contents that are not valid UTF-8 text cannot be sanitized, so they are withheld.
 */
export function rewriteTicket(ticket: GenericTicket, rewrite: Rewrite): GenericTicket {
  const person = (p: GenericTicket['reporter'], path: string) =>
    p && {
      ...(p.name !== undefined && { name: rewrite(p.name, 'name', `${path}.name`) }),
      ...(p.email !== undefined && { email: rewrite(p.email, 'email', `${path}.email`) }),
    };
  return {
    ...ticket,
    summary: rewrite(ticket.summary, 'text', 'summary'),
    description: rewrite(ticket.description, 'text', 'description'),
    ...(ticket.reporter && { reporter: person(ticket.reporter, 'reporter') }),
    ...(ticket.comments && {
      comments: ticket.comments.map((c, i) => ({
        ...c,
        ...(c.author && { author: person(c.author, `comments.${i}.author`) }),
        body: rewrite(c.body, 'text', `comments.${i}.body`),
      })),
    }),
    ...(ticket.attachments && {
      attachments: ticket.attachments.map((a, i) => rewriteAttachment(a, rewrite, `attachments.${i}`)),
    }),
    ...(ticket.labels && { labels: ticket.labels.map((l, i) => rewrite(l, 'text', `labels.${i}`)) }),
    ...(ticket.fields && {
      fields: Object.fromEntries(
        Object.entries(ticket.fields).map(([name, value]) => [
          name,
          // Field names are the sender's; the path says only that it is a field.
          rewriteFieldValue(value, rewrite, 'fields'),
        ]),
      ),
    }),
  };
}

function rewriteAttachment(attachment: TicketAttachment, rewrite: Rewrite, path: string): TicketAttachment {
  const filename = rewrite(attachment.filename, 'text', `${path}.filename`);
  const { contentBase64, mimeType, ...fields } = attachment;
  // Parameters such as `name="…"` can repeat the file name: only `type/subtype` goes on.
  const rest = mimeType === undefined ? fields : { ...fields, mimeType: mediaType(mimeType) };
  if (contentBase64 === undefined) return { ...rest, filename };
  const content = isTextAttachment(attachment) ? decodeUtf8(Buffer.from(contentBase64, 'base64')) : undefined;
  if (content === undefined) {
    return { ...rest, filename, withheld: true, size: Buffer.byteLength(contentBase64, 'base64') };
  }
  return {
    ...rest,
    filename,
    contentBase64: Buffer.from(rewrite(content, 'text', `${path}.content`), 'utf8').toString('base64'),
  };
}

function rewriteFieldValue(value: string | number | boolean | null, rewrite: Rewrite, path: string) {
  if (typeof value === 'string') return rewrite(value, 'text', path);
  if (typeof value !== 'number') return value;
  // A number is read as the text it shows (a phone number typed into a numeric field), and a
  // token takes its place as a string.
  const text = String(value);
  const rewritten = rewrite(text, 'text', path);
  if (rewritten !== text) return rewritten;
  // A CPR number typed into a numeric field loses its leading zero: 0101901234 arrives as 101901234.
  if (!Number.isInteger(value) || value < 1e8 || value >= 1e9) return value;
  const digits = text.padStart(10, '0');
  const padded = rewrite(digits, 'text', path);
  return padded === digits ? value : padded;
}

function isTextAttachment(a: TicketAttachment): boolean {
  return a.mimeType ? TEXT_MIME.test(a.mimeType) : TEXT_EXTENSION.test(a.filename);
}

/** `text/plain; charset=utf-8; name="x.txt"` → `text/plain`. */
export const mediaType = (mimeType: string) => (mimeType.split(';')[0] ?? '').trim().toLowerCase();

/** Text we can read, or undefined. NUL characters mean UTF-16 or binary, which detection cannot see through. */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}
