import { ErrorCode, TicketProxyError } from '../errors.ts';
import { TOKEN_PATTERN } from '../pseudonymize/token.ts';

/** One edit of a text: UTF-16 offsets, end exclusive. */
export interface Replacement {
  start: number;
  end: number;
  text: string;
}

/**
 * Given a piece of plain text, says what to replace: sorted, non-overlapping, each covering at least
 * one character. Pure: the same text always gives the same replacements.
 *
 * @example
 * const redact: Redact = (text) =>
 *   detectSpans(text, defaultDetectors).map((s) => ({ start: s.start, end: s.end, text: token(s) }));
 */
export type Redact = (text: string) => readonly Replacement[];

/**
 * Applies replacements to a text.
 *
 * @throws TicketProxyError with code SANITIZE_FAILED when the replacements are unsorted, overlap or
 *   fall outside the text: a broken redactor must not produce half-redacted output.
 */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  checkReplacements(replacements, text.length);
  let out = '';
  let position = 0;
  for (const { start, end, text: replacement } of replacements) {
    out += text.slice(position, start) + replacement;
    position = end;
  }
  return out + text.slice(position);
}

/**
 * Calls `redact` and checks its answer before anyone maps it onto a document.
 *
 * @throws TicketProxyError with code SANITIZE_FAILED, as {@link applyReplacements}.
 */
export function findReplacements(text: string, redact: Redact): readonly Replacement[] {
  const replacements = redact(text);
  checkReplacements(replacements, text.length);
  return replacements;
}

/** A text with what `redact` finds in it replaced. */
export function redactText(text: string, redact: Redact): string {
  return applyReplacements(text, redact(text));
}

function checkReplacements(replacements: readonly Replacement[], length: number): void {
  let position = 0;
  for (const { start, end } of replacements) {
    if (!(start >= position && end >= start && end <= length)) {
      throw new TicketProxyError(
        ErrorCode.SANITIZE_FAILED,
        `replacement ${start}..${end} is out of order or outside a text of length ${length}`,
      );
    }
    position = end;
  }
}

/** What a mention becomes when the name it shows cannot be redacted whole: `@bruger`, "user". */
export const UNNAMED_PERSON = '@bruger';

/**
 * `@` and a redacted form of a name that is known to name a person (a mention's text or user name).
 * Detectors look for names by context, which a bare name lacks, so a user name is also tried as
 * words (`jens.hansen` as `Jens Hansen`, which gives the token that name gets in the text). When no
 * form is redacted whole, the name is not kept at all: a surname left readable still identifies.
 */
export function redactPersonName(name: string, redact: Redact): string {
  const bare = name.replace(/^@/, '').trim();
  const asWords = bare
    .split(/[\s._-]+/)
    .map((word) => word.charAt(0).toLocaleUpperCase('da') + word.slice(1).toLocaleLowerCase('da'))
    .join(' ');
  // Both forms are always redacted, so that every pass of the sanitizer makes the same calls.
  const redacted = [bare, asWords].map((candidate) => [candidate, redactText(candidate, redact)] as const);
  const whole = redacted.find(([candidate, out]) => candidate !== '' && !hasReadableWord(out));
  return whole ? `@${whole[1]}` : UNNAMED_PERSON;
}

/** True when letters or digits remain outside the tokens of a text. */
function hasReadableWord(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text.replace(TOKEN_PATTERN, ''));
}
