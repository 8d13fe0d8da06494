import type { Span } from '../../lib/detect/span.ts';
import { findPersonalData } from '../../lib/sanitize/sanitize-ticket.ts';
import { type EvalTicket, GOLD_KINDS, type GoldKind } from './corpus.ts';

export interface KindScore {
  /** Gold spans of this kind. */
  gold: number;
  /** Gold spans wholly covered by detected spans of any kind: what stays hidden from Jira. */
  hidden: number;
  /** Gold spans wholly covered by detected spans of this kind. */
  typed: number;
  /** Detected spans of this kind. */
  detected: number;
  /** Detected spans of this kind that overlap some gold span. */
  correct: number;
}

export interface Miss {
  ticket: string;
  path: string;
  kind: string;
  /** The corpus is fictional, so its values may be shown. */
  text: string;
  context: string;
}

export interface Evaluation {
  tickets: number;
  characters: number;
  kinds: Record<GoldKind, KindScore>;
  /** Words outside every gold span, and how many of them no detected span touches. */
  words: { total: number; preserved: number };
  missed: Miss[];
  falsePositives: Miss[];
}

const WORD = /[\p{L}\p{N}]+/gu;
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

/** Covered when every letter and digit of it lies in some span. */
function covered(text: string, gold: { start: number; end: number }, spans: readonly Span[]): boolean {
  for (let i = gold.start; i < gold.end; i++) {
    if (!/[\p{L}\p{N}]/u.test(text[i] ?? '')) continue;
    if (!spans.some((s) => s.start <= i && i < s.end)) return false;
  }
  return true;
}

const contextOf = (text: string, span: { start: number; end: number }) =>
  text.slice(Math.max(0, span.start - 30), span.end + 30).replace(/\s+/g, ' ');

/** Runs the sanitizer's detection over the corpus and scores it against the gold annotations. */
export function evaluate(corpus: readonly EvalTicket[]): Evaluation {
  const kinds = Object.fromEntries(
    GOLD_KINDS.map((k) => [k, { gold: 0, hidden: 0, typed: 0, detected: 0, correct: 0 }]),
  ) as Record<GoldKind, KindScore>;
  const words = { total: 0, preserved: 0 };
  const missed: Miss[] = [];
  const falsePositives: Miss[] = [];
  let characters = 0;

  for (const { id, ticket, fields } of corpus) {
    const found = new Map(findPersonalData(ticket).map((f) => [f.path, f]));
    for (const { path, text, gold } of fields) {
      const detected = found.get(path);
      // The sanitizer reads compatibility forms folded (a non-breaking hyphen as a hyphen); gold offsets
      // hold as long as the length does.
      if (detected === undefined || detected.text.length !== text.length) {
        throw new Error(`${id} ${path}: the sanitizer read another text than the corpus holds`);
      }
      characters += text.length;
      const spans = detected.spans;
      for (const g of gold) {
        const score = kinds[g.kind];
        score.gold++;
        if (covered(text, g, spans)) score.hidden++;
        else
          missed.push({
            ticket: id,
            path,
            kind: g.kind,
            text: text.slice(g.start, g.end),
            context: contextOf(text, g),
          });
        if (
          covered(
            text,
            g,
            spans.filter((s) => s.kind === g.kind),
          )
        )
          score.typed++;
      }
      for (const s of spans) {
        const score = kinds[s.kind as GoldKind];
        if (!score) continue;
        score.detected++;
        if (gold.some((g) => overlaps(g, s))) score.correct++;
        else
          falsePositives.push({
            ticket: id,
            path,
            kind: s.kind,
            text: text.slice(s.start, s.end),
            context: contextOf(text, s),
          });
      }
      for (const m of text.matchAll(WORD)) {
        const word = { start: m.index, end: m.index + m[0].length };
        if (gold.some((g) => overlaps(g, word))) continue;
        words.total++;
        if (!spans.some((s) => overlaps(s, word))) words.preserved++;
      }
    }
  }
  return { tickets: corpus.length, characters, kinds, words, missed, falsePositives };
}

/** The targets: what `npm run eval` and the CI test hold the detectors to. */
export const TARGETS = {
  recall: { CPR: 1, EMAIL: 1, PHONE: 1, NAME: 0.98 } as Partial<Record<GoldKind, number>>,
  preserved: 0.99,
};

export const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);
