import {
  type Detection,
  defaultDetectors,
  detect,
  detectSpans,
  mergeSpans,
  readsAs,
} from '../detect/detect.ts';
import { type KnownValue, knownValuesDetector } from '../detect/known-values.ts';
import type { Detector, Span } from '../detect/span.ts';
import { redactAdf } from '../document/adf.ts';
import { type Redact, redactText } from '../document/replacements.ts';
import { redactWikiMarkup } from '../document/wiki.ts';
import {
  ErrorCode,
  InvalidDocumentError,
  InvalidTicketError,
  type TicketIssue,
  TicketProxyError,
} from '../errors.ts';
import type { PersonalValue, Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { isToken, TOKEN_BODY_LENGTH, TokenKind } from '../pseudonymize/token.ts';
import type { Retention } from '../retention/retention-policy.ts';
import { type GenericTicket, genericTicketSchema } from '../ticket/generic-ticket.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import { type FieldRole, mediaType, rewriteTicket } from './rewrite-ticket.ts';

export interface SanitizeDeps {
  pseudonymizer: Pseudonymizer;
  /** Decides when the ticket's personal data expires. */
  retention: Retention;
  /** Remembers when a ticket without a creation time was first seen. */
  vault: Pick<TokenVault, 'getTicket'>;
  now?: () => Date;
  /** @default defaultDetectors */
  detectors?: readonly Detector[];
}

/**
 * A rich-text document that belongs to a ticket and goes to Jira in its own format: a Jira Service
 * Management description in ADF, a comment in wiki markup. Sanitized with the ticket, in the same
 * vault call and with the same knowledge of who the ticket names.
 */
export interface TicketDocument {
  format: 'adf' | 'wiki' | 'text';
  content: unknown;
}

export interface SanitizeResult {
  ticket: GenericTicket;
  /** The documents passed in, sanitized, in the same order and format. */
  documents: unknown[];
  /** How many values of each kind were replaced: safe to log, it holds no values. */
  replaced: Partial<Record<TokenKind, number>>;
  /** When the ticket's personal data (and every token only it uses) is deleted. */
  expiresAt: Date;
}

/**
 * Replaces every piece of personal data in a ticket with its token, after recording the tokens in the
 * vault. Either the whole ticket is sanitized and every token stored, or it throws and nothing is returned.
 * @throws InvalidTicketError when a string that passes unchanged (ids, status, priority, field names,
 *   media types) holds personal data, or when the sanitized ticket would break the schema's limits.
 */
export async function sanitizeTicket(
  ticket: GenericTicket,
  deps: SanitizeDeps,
  documents: readonly TicketDocument[] = [],
): Promise<SanitizeResult> {
  const baseDetectors = deps.detectors ?? defaultDetectors;
  rejectPersonalDataInPassThroughStrings(ticket, baseDetectors);
  // Pass 1 finds the spans of every string, pass 2 writes the tokens in: one vault call per ticket.
  const found = findPersonalData(ticket, baseDetectors, documents);
  const values: PersonalValue[] = found.flatMap(({ text, spans }) =>
    spans.map((s) => ({ kind: s.kind, value: text.slice(s.start, s.end) })),
  );
  // The sanitized ticket must still fit the schema's limits (tokens are longer than most values):
  // checked with stand-ins of the tokens' length before anything is written to the vault, so a
  // ticket refused for it leaves nothing behind.
  const byString = new Map(found.map((entry) => [`${entry.role}\0${entry.value}`, entry]));
  checkLimits(
    rewriteTicket(ticket, (value, role) => {
      const entry = byString.get(`${role}\0${value}`);
      return entry
        ? writeIn(
            entry,
            entry.spans.map((s) => `${s.kind}_${'A'.repeat(TOKEN_BODY_LENGTH)}`),
          )
        : value;
    }),
  );
  const seenAt = deps.now?.() ?? new Date();
  const expiresAt = await expiryOf(ticket, seenAt, deps);
  const tokens = await deps.pseudonymizer.tokenize(
    { tenant: ticket.tenant, ticketId: ticket.id, expiresAt, seenAt, startedAt: startOf(ticket, seenAt) },
    values,
  );

  // Pass 2 looks each string up by what it is, not by when it comes: a document may ask for its
  // texts in another order or number than pass 1 did, but never for one pass 1 did not see.
  const recorded = new Map<string, { entry: FoundInField; tokens: string[]; out?: string }>();
  let offset = 0;
  for (const entry of found) {
    const entryTokens = tokens.slice(offset, offset + entry.spans.length);
    offset += entry.spans.length;
    recorded.set(`${entry.role}\0${entry.value}`, { entry, tokens: entryTokens });
  }
  /** The recorded string with its tokens written in, checked once more. */
  const substitute = (value: string, role: FieldRole) => {
    const known = recorded.get(`${role}\0${value}`);
    if (!known) throw new TicketProxyError(ErrorCode.SANITIZE_FAILED, 'sanitizer passes disagree');
    if (known.out !== undefined) return { ...known, out: known.out };
    const out = writeIn(known.entry, known.tokens);
    // Defence in depth: what leaves must not show anything the detectors can still see. Where it reads
    // as a masked text they found nothing in, they have already looked.
    if (role === 'text' && !readsAs(out, known.entry.clean) && detectSpans(out, baseDetectors).length > 0) {
      throw new TicketProxyError(ErrorCode.SANITIZE_FAILED, 'personal data survived sanitizing');
    }
    known.out = out;
    return { ...known, out };
  };
  const sanitized = rewriteTicket(ticket, (value, role) => substitute(value, role).out);
  const sanitizedDocuments = documents.map((document) =>
    rewriteDocument(document, (value) => {
      const { entry, tokens: its, out } = substitute(value, 'text');
      if (out === value) return [];
      // Spans index into the text as read; where reading changed it (another Unicode form), the
      // block is replaced whole rather than at offsets that no longer fit.
      if (entry.text !== value) return [{ start: 0, end: value.length, text: out }];
      return entry.spans.map((span, i) => ({ start: span.start, end: span.end, text: its[i] as string }));
    }),
  );
  if (offset !== tokens.length) {
    throw new TicketProxyError(ErrorCode.SANITIZE_FAILED, 'sanitizer passes disagree');
  }

  checkLimits(sanitized);
  const replaced: SanitizeResult['replaced'] = {};
  for (const { kind } of values) replaced[kind] = (replaced[kind] ?? 0) + 1;
  return { ticket: sanitized, documents: sanitizedDocuments, replaced, expiresAt };
}

/** The string with each span replaced by its token. */
function writeIn(entry: FoundInField, tokens: readonly string[]): string {
  let out = '';
  let at = 0;
  for (const [i, span] of entry.spans.entries()) {
    out += entry.text.slice(at, span.start) + tokens[i];
    at = span.end;
  }
  return out + entry.text.slice(at);
}

/** @throws InvalidTicketError when the sanitized ticket breaks the schema's limits */
function checkLimits(sanitized: unknown): void {
  const revalidated = genericTicketSchema.safeParse(sanitized);
  if (!revalidated.success) {
    throw new InvalidTicketError(
      revalidated.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: `once sanitized, ${i.message}`,
      })),
    );
  }
}

/** One string of a ticket and the personal data in it. */
export interface FoundInField {
  /** Dotted path in the ticket, e.g. `comments.0.body`. */
  path: string;
  role: FieldRole;
  /** The string as the ticket holds it. */
  value: string;
  /** The string as read: one normalization form, no invisible characters. Spans index into this. */
  text: string;
  spans: Span[];
  /**
   * {@link Detection.clean}: `text` masked as detection left it, read by the detectors, who found nothing
   * there. A mention across fields may add spans since; then what leaves reads otherwise and is read again.
   */
  clean?: string;
}

/**
 * Finds the personal data in every string of a ticket, in the order rewriteTicket visits them: what
 * the detectors see, mentions of the names and addresses the structured fields announce, and mentions
 * in any field of a name found in another. Pure; the evaluation (`npm run eval`) measures exactly this.
 */
export function findPersonalData(
  ticket: GenericTicket,
  baseDetectors: readonly Detector[] = defaultDetectors,
  documents: readonly TicketDocument[] = [],
): FoundInField[] {
  const detectors = [...baseDetectors, knownValuesDetector(knownValues(ticket))];
  const found: FoundInField[] = [];
  // A ticket repeats strings (a signature in every comment, a mention's name tried twice): each is read once.
  const seen = new Map<string, Detection>();
  const record = (value: string, role: FieldRole, path: string) => {
    const text = readable(value);
    const key = `${role}\0${value}`;
    const detection = seen.get(key) ?? spansOf(text, role, detectors);
    seen.set(key, detection);
    found.push({ path, role, value, text, ...detection });
  };
  rewriteTicket(ticket, (value, role, path) => {
    record(value, role, path);
    return value;
  });
  for (const [i, document] of documents.entries()) {
    rewriteDocument(document, (value) => {
      record(value, 'text', `documents.${i}`);
      return [];
    });
  }
  addMentionsOfFoundNames(found);
  return found;
}

/**
 * A name found in one field is found in every other: `Mvh Per Skov` in a comment makes the `Skov`
 * that opens a sentence of the description a name too.
 */
function addMentionsOfFoundNames(found: FoundInField[]): void {
  const names = found.flatMap(({ text, role, spans }) =>
    role === 'text'
      ? spans
          .filter((s) => s.kind === TokenKind.NAME)
          .map((s) => ({ kind: s.kind, value: text.slice(s.start, s.end) }))
      : [],
  );
  if (names.length === 0) return;
  const mentions = knownValuesDetector(names);
  for (const entry of found) {
    if (entry.role !== 'text') continue;
    entry.spans = mergeSpans([...entry.spans, ...detectSpans(entry.text, [mentions])]);
  }
}

/** Runs `redact` over every text of a document, in a fixed order, and returns the rewritten document. */
function rewriteDocument(document: TicketDocument, redact: Redact): unknown {
  if (document.format === 'adf') return redactAdf(document.content, redact);
  if (typeof document.content !== 'string') {
    throw new InvalidDocumentError('', `a ${document.format} document must be a string`);
  }
  return document.format === 'wiki'
    ? redactWikiMarkup(document.content, redact)
    : redactText(document.content, redact);
}

/** When the ticket began: its creation time if it says so (never in the future), else now. */
function startOf(ticket: GenericTicket, now: Date): Date {
  const created = ticket.created ? Date.parse(ticket.created) : Number.NaN;
  return Number.isNaN(created) || created > now.getTime() ? now : new Date(created);
}

/**
 * A ticket that does not say when it was created is counted from when it began as far as the proxy
 * knows: the creation time an earlier event gave, or when the proxy first saw it.
 */
async function expiryOf(ticket: GenericTicket, now: Date, deps: SanitizeDeps): Promise<Date> {
  const created =
    ticket.created ?? (await deps.vault.getTicket(ticket.tenant, ticket.id))?.firstSeen.toISOString();
  return deps.retention.expiryOf({ ...ticket, created }, now);
}

/**
 * The text as a reader sees it: compatibility forms folded (full-width `２２０３６７` and `＠` are digits
 * and an at sign to a reader, and to the detectors now too), and no invisible format characters
 * (soft hyphens, zero-width spaces) that could split a CPR number or an address past the detectors.
 */
const readable = (value: string) => value.normalize('NFKC').replace(/\p{Cf}/gu, '');

function spansOf(value: string, role: FieldRole, detectors: readonly Detector[]): Detection {
  if (role === 'text') return detect(value, detectors);
  // A name or e-mail field is personal data as a whole, whatever its form.
  const trimmed = value.trim();
  if (trimmed === '' || isToken(trimmed)) return { spans: [] };
  const start = value.indexOf(trimmed);
  const kind = role === 'name' ? TokenKind.NAME : TokenKind.EMAIL;
  return { spans: [{ kind, start, end: start + trimmed.length, confidence: 1 }] };
}

function knownValues(ticket: GenericTicket): KnownValue[] {
  const people = [ticket.reporter, ...(ticket.comments ?? []).map((c) => c.author)];
  return people.flatMap((p) => [
    ...(p?.name && !isToken(p.name.trim()) ? [{ kind: TokenKind.NAME, value: readable(p.name) }] : []),
    ...(p?.email && !isToken(p.email.trim()) ? [{ kind: TokenKind.EMAIL, value: readable(p.email) }] : []),
  ]);
}

/** Every string that reaches Jira without being sanitized, with its path. */
function* passThroughStrings(ticket: GenericTicket): Iterable<[string, string]> {
  yield ['id', ticket.id];
  if (ticket.status !== undefined) yield ['status', ticket.status];
  if (ticket.priority !== undefined) yield ['priority', ticket.priority];
  for (const [i, c] of (ticket.comments ?? []).entries()) yield [`comments.${i}.id`, c.id];
  for (const [i, a] of (ticket.attachments ?? []).entries()) {
    yield [`attachments.${i}.id`, a.id];
    if (a.mimeType !== undefined) yield [`attachments.${i}.mimeType`, mediaType(a.mimeType)];
  }
  for (const name of Object.keys(ticket.fields ?? {})) yield ['fields', name];
}

function rejectPersonalDataInPassThroughStrings(ticket: GenericTicket, detectors: readonly Detector[]): void {
  const issues: TicketIssue[] = [];
  for (const [path, value] of passThroughStrings(ticket)) {
    // Servicedesks number their tickets and comments: eight digits there are an id, not a phone number.
    // Ten digits that form a date stay refused, since a CPR number used as an id cannot be told apart.
    const numeric = /^\d+$/.test(value);
    const kinds = [
      ...new Set(
        detectSpans(readable(value), detectors)
          .map((s) => s.kind)
          .filter((kind) => !(numeric && kind === TokenKind.PHONE)),
      ),
    ];
    if (kinds.length === 0) continue;
    const what = path === 'fields' ? 'a field name holds' : 'holds';
    issues.push({
      path,
      message: `${what} personal data (${kinds.join(', ')}) but is passed to Jira unchanged`,
    });
  }
  if (issues.length > 0) throw new InvalidTicketError(issues);
}
