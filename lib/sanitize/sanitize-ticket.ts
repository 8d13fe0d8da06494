import { defaultDetectors, detectSpans } from '../detect/detect.ts';
import { type KnownValue, knownValuesDetector } from '../detect/known-values.ts';
import type { Detector, Span } from '../detect/span.ts';
import { InvalidTicketError } from '../errors.ts';
import type { PersonalValue, Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { isToken, TokenKind } from '../pseudonymize/token.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';
import { type FieldRole, rewriteTicket } from './rewrite-ticket.ts';

export interface SanitizeDeps {
  pseudonymizer: Pseudonymizer;
  /** @default defaultDetectors */
  detectors?: readonly Detector[];
}

export interface SanitizeResult {
  ticket: GenericTicket;
  /** How many values of each kind were replaced: safe to log, it holds no values. */
  replaced: Partial<Record<TokenKind, number>>;
}

/**
 * Replaces every piece of personal data in a ticket with its token, after recording the tokens in the
 * vault. Either the whole ticket is sanitized and every token stored, or it throws and nothing is returned.
 * @throws InvalidTicketError when a field that passes unchanged (status, priority) holds personal data.
 */
export async function sanitizeTicket(ticket: GenericTicket, deps: SanitizeDeps): Promise<SanitizeResult> {
  const detectors = [...(deps.detectors ?? defaultDetectors), knownValuesDetector(knownValues(ticket))];
  rejectPersonalDataInPassThroughFields(ticket, detectors);

  // Pass 1 finds the spans of every string, pass 2 writes the tokens in: one vault call per ticket.
  const found: Span[][] = [];
  const values: PersonalValue[] = [];
  rewriteTicket(ticket, (value, role) => {
    const spans = spansOf(value, role, detectors);
    found.push(spans);
    for (const s of spans) values.push({ kind: s.kind, value: value.slice(s.start, s.end) });
    return value;
  });
  const tokens = await deps.pseudonymizer.tokenize(ticket.tenant, values);

  let call = 0;
  let next = 0;
  const sanitized = rewriteTicket(ticket, (value) => {
    let out = '';
    let at = 0;
    for (const span of found[call++] ?? []) {
      out += value.slice(at, span.start) + tokens[next++];
      at = span.end;
    }
    return out + value.slice(at);
  });

  const replaced: SanitizeResult['replaced'] = {};
  for (const { kind } of values) replaced[kind] = (replaced[kind] ?? 0) + 1;
  return { ticket: sanitized, replaced };
}

function spansOf(value: string, role: FieldRole, detectors: readonly Detector[]): Span[] {
  if (role === 'text') return detectSpans(value, detectors);
  // A name or e-mail field is personal data as a whole, whatever its form.
  const trimmed = value.trim();
  if (trimmed === '' || isToken(trimmed)) return [];
  const start = value.indexOf(trimmed);
  const kind = role === 'name' ? TokenKind.NAME : TokenKind.EMAIL;
  return [{ kind, start, end: start + trimmed.length, confidence: 1 }];
}

function knownValues(ticket: GenericTicket): KnownValue[] {
  const people = [ticket.reporter, ...(ticket.comments ?? []).map((c) => c.author)];
  return people.flatMap((p) => [
    ...(p?.name && !isToken(p.name.trim()) ? [{ kind: TokenKind.NAME, value: p.name }] : []),
    ...(p?.email && !isToken(p.email.trim()) ? [{ kind: TokenKind.EMAIL, value: p.email }] : []),
  ]);
}

function rejectPersonalDataInPassThroughFields(ticket: GenericTicket, detectors: readonly Detector[]): void {
  const issues = (['status', 'priority'] as const).flatMap((field) => {
    const value = ticket[field];
    const kinds = value === undefined ? [] : [...new Set(detectSpans(value, detectors).map((s) => s.kind))];
    return kinds.length === 0
      ? []
      : [
          {
            path: field,
            message: `holds personal data (${kinds.join(', ')}) but is passed to Jira unchanged`,
          },
        ];
  });
  if (issues.length > 0) throw new InvalidTicketError(issues);
}
