import { TOKEN_BODY_LENGTH, TOKEN_PATTERN, TokenKind } from '../pseudonymize/token.ts';
import { addressDetector } from './address.ts';
import { columnsDetector } from './columns.ts';
import { cprDetector } from './cpr.ts';
import { emailDetector } from './email.ts';
import { nameDetector } from './names.ts';
import { phoneDetector } from './phone.ts';
import { secretDetector } from './secret.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/** The detectors every ticket goes through. Adding one is one file and one entry here. */
export const defaultDetectors: readonly Detector[] = [
  cprDetector,
  emailDetector,
  phoneDetector,
  secretDetector,
  addressDetector,
  columnsDetector,
  nameDetector,
];

/**
 * Runs the detectors over a text and returns non-overlapping spans in text order.
 *
 * Overlapping spans merge into one span over their union, of the kind of the most confident one:
 * this is redaction, so a short match never leaves part of a longer one readable.
 * Tokens already in the text are left alone (sanitizing twice changes nothing), unless a span
 * reaches beyond them: `METTE_FREDERIKSEN@FT.DK` is an address, not a token.
 *
 * Replacing a value changes its neighbours' context (`tlf. 20 30 40 50 050300-2467`: the phone
 * number is bounded only once the CPR number is a token), so detection runs again on the text as it
 * will read, with each span masked by a token, until nothing new is found. Hence idempotence:
 * what this returns nothing for, it returns nothing for again.
 */
export function detectSpans(text: string, detectors: readonly Detector[]): Span[] {
  return detect(text, detectors).spans;
}

/** What {@link detectSpans} finds, and what it last read. */
export interface Detection {
  spans: Span[];
  /**
   * The text as the detectors read it with every span masked, when they found nothing at all there.
   * A sanitized text that reads the same (see {@link readsAs}) holds nothing they can see.
   */
  clean?: string;
}

/** {@link detectSpans}, with the reading that proves its fixpoint. */
export function detect(text: string, detectors: readonly Detector[]): Detection {
  const first = detectOnce(text, detectors);
  let spans = first.spans;
  for (let round = 0; round < MAX_ROUNDS && spans.length > 0; round++) {
    const masked = mask(text, spans);
    const placeholders = text.includes('_') ? undefined : masked.placeholders;
    const again = detectOnce(masked.text, detectors, placeholders);
    if (again.spans.length === 0) return { spans, clean: again.read };
    const next = mergeSpans([...spans, ...again.spans.map(masked.toOriginal)]);
    if (sameSpans(next, spans)) break;
    spans = next;
  }
  return spans.length === 0 ? { spans, clean: first.read } : { spans };
}

/**
 * Whether the detectors read `text` as `reading`, a {@link Detection.clean} reading: then they find
 * in it exactly what they found there, nothing, without running again.
 */
export const readsAs = (text: string, reading: string | undefined): boolean =>
  reading !== undefined && readTokens(text).text === reading;

/** Each round can only add or grow spans, so this bound is never reached on real text. */
const MAX_ROUNDS = 4;

/**
 * Tokens this project writes, also where a letter is glued to them (`keyCPR_…`, `…NHHej`): a value
 * found inside a word gets its token inside that word, where the contract's `\b` cannot see it.
 */
const OWN_TOKEN = new RegExp(`(?:${Object.values(TokenKind).join('|')})_[A-Z2-7]{${TOKEN_BODY_LENGTH}}`, 'g');

/**
 * One round of every detector. `placeholders` are where a masked text, whose original has no
 * underscore, has its placeholders.
 */
function detectOnce(
  original: string,
  detectors: readonly Detector[],
  placeholders?: readonly Stretch[],
): { spans: Span[]; read: string } {
  const { text, inToken } = readTokens(original, placeholders);
  const candidates: Span[] = [];
  for (const detector of detectors) {
    for (const span of detector.detect(text)) {
      if (span.end > span.start && !inToken(span)) candidates.push(span);
    }
  }
  return { spans: mergeSpans(candidates), read: text };
}

type Stretch = { start: number; end: number };

/**
 * The text as the detectors read it, with every token as its placeholder (a body's digits must not
 * join a number next to it: `…B7624-6586` is no phone number; and a text reads the same before and
 * after sanitizing), and a test for spans inside a token.
 */
function readTokens(
  original: string,
  placeholders?: readonly Stretch[],
): { text: string; inToken: (span: Span) => boolean } {
  // The placeholders of a masked text are then all its tokens, unless a capital letter glued before
  // one lets the contract's pattern take it in: no need to look for them.
  if (placeholders && !placeholders.some((p) => isAsciiCapital(original.charCodeAt(p.start - 1)))) {
    return { text: original, inToken: containment(placeholders) };
  }
  // Every token has an underscore; most texts have none, and skip the scans for tokens.
  if (!original.includes('_')) return { text: original, inToken: () => false };
  const own = allMatches(OWN_TOKEN, original);
  if (own.every(isPlaceholder)) return { text: original, inToken: containment(tokensIn(original, own)) };
  const text = original.replace(OWN_TOKEN, (token) => placeholder(token.slice(0, token.indexOf('_'))));
  return { text, inToken: containment(tokensIn(text)) };
}

const isAsciiCapital = (code: number) => code >= 0x41 && code <= 0x5a;

/** The tokens in a text, sorted by start; `own` are the text's matches of OWN_TOKEN, if known. */
function tokensIn(text: string, own = allMatches(OWN_TOKEN, text)): Stretch[] {
  return (
    [...allMatches(TOKEN_PATTERN, text), ...own]
      // A body of digits only is a number after a label (`CPR_0101901234`), not a token.
      .filter((m) => /[A-Z]/.test(m[0].slice(m[0].indexOf('_') + 1)))
      .map((m) => ({ start: m.index, end: m.index + m[0].length }))
      .sort((a, b) => a.start - b.start)
  );
}

/**
 * Whether a span lies inside one of the sorted stretches: a binary search for the last stretch that
 * starts at or before it, and the furthest end of those (a text with thousands of tokens, such as a
 * pasted log, made a scan per span quadratic).
 */
function containment(sorted: readonly Stretch[]): (span: Span) => boolean {
  const reach: number[] = [];
  for (const [i, s] of sorted.entries()) reach.push(Math.max(s.end, reach[i - 1] ?? -1));
  return (span) => {
    const i = lastAtOrBefore(sorted, span.start, (s) => s.start);
    return i >= 0 && (reach[i] as number) >= span.end;
  };
}

/** Index of the last item whose key is at most `position` in items sorted by key, or -1. */
function lastAtOrBefore<T>(items: readonly T[], position: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid] as T) <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Sorts spans and merges overlapping ones into their union (see detectSpans). */
export function mergeSpans(candidates: Span[]): Span[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of candidates) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      const best = span.confidence > last.confidence ? span : last;
      merged[merged.length - 1] = { ...best, start: last.start, end: Math.max(last.end, span.end) };
    } else {
      merged.push(span);
    }
  }
  return merged;
}

const sameSpans = (a: Span[], b: Span[]) =>
  a.length === b.length && a.every((s, i) => s.start === b[i]?.start && s.end === b[i]?.end);

/** A token-shaped stand-in: detectors see the same as in the sanitized text, whatever the key. */
const placeholder = (kind: string) => `${kind}_${PLACEHOLDER_BODY}`;
const PLACEHOLDER_BODY = 'A'.repeat(TOKEN_BODY_LENGTH);
const isPlaceholder = (token: RegExpExecArray) => token[0].endsWith(PLACEHOLDER_BODY);

/** The text with every span replaced by a placeholder, and a map from its offsets back to the text's. */
function mask(
  text: string,
  spans: Span[],
): { text: string; placeholders: Stretch[]; toOriginal: (span: Span) => Span } {
  // Each piece of the masked text: where it is, where it came from, and the span it stands for.
  const pieces: { from: number; to: number; at: number; span?: Span }[] = [];
  const placeholders: Stretch[] = [];
  let out = '';
  let at = 0;
  for (const span of spans) {
    pieces.push({ from: out.length, to: out.length + span.start - at, at });
    out += text.slice(at, span.start);
    const stand = placeholder(span.kind);
    pieces.push({ from: out.length, to: out.length + stand.length, at: span.start, span });
    placeholders.push({ start: out.length, end: out.length + stand.length });
    out += stand;
    at = span.end;
  }
  pieces.push({ from: out.length, to: out.length + text.length - at, at });
  out += text.slice(at);
  const offset = (position: number, side: 'start' | 'end'): number => {
    // Pieces are in order and touch; an end on a boundary belongs to the piece before it.
    let i = lastAtOrBefore(pieces, position, (p) => p.from);
    if (side === 'end' && i > 0 && position === pieces[i]?.from) i--;
    const piece = pieces[i];
    if (!piece || position > piece.to) return side === 'start' ? 0 : text.length;
    if (!piece.span) return piece.at + position - piece.from;
    // Inside a placeholder: the span covers the whole value it stands for.
    return side === 'start' ? piece.span.start : piece.span.end;
  };
  return {
    text: out,
    placeholders,
    toOriginal: (span) => ({ ...span, start: offset(span.start, 'start'), end: offset(span.end, 'end') }),
  };
}
