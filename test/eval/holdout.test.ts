/**
 * The held-out evaluation corpus (`holdout/*.txt`): tickets written independently of the detectors
 * and of the tuning corpus, so that the figures measured on it are honest. These tests only check
 * that the corpus is well-formed and large enough; they never run a detector.
 */
import { describe, expect, it } from 'vitest';
import { validateTicket } from '../../lib/ticket/generic-ticket.ts';
import { type EvalTicket, GOLD_KINDS, type GoldKind, loadCorpus } from './corpus.ts';

const HOLDOUT_DIR = new URL('./holdout/', import.meta.url);

const MINIMUM: Record<GoldKind, number> = {
  NAME: 200,
  CPR: 50,
  EMAIL: 40,
  PHONE: 40,
  ADDR: 25,
  SECRET: 25,
};
const PSEUDONYM_TOKEN = /^[A-Z]{2,10}_[A-Z2-7]{16}$/;
const MOD11_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/** The century of a CPR number's birth year, from its 7th digit and two-digit year. */
function cprBirthYear(yy: number, seventh: number): number {
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/** Whether the birth date of a 10-digit CPR number exists and lies in the past (day + 60 allowed). */
function cprDateExists(digits: string): boolean {
  const rawDay = Number(digits.slice(0, 2));
  const day = rawDay > 60 ? rawDay - 60 : rawDay;
  const month = Number(digits.slice(2, 4));
  const year = cprBirthYear(Number(digits.slice(4, 6)), Number(digits[6]));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getTime() < Date.now();
}

const passesModulus11 = (digits: string) =>
  [...digits].reduce((sum, d, i) => sum + Number(d) * (MOD11_WEIGHTS[i] ?? 0), 0) % 11 === 0;

describe('the held-out evaluation corpus', () => {
  const corpus: EvalTicket[] = loadCorpus(HOLDOUT_DIR);
  const spans = corpus.flatMap((t) =>
    t.fields.flatMap((f) => f.gold.map((g) => ({ ...g, id: t.id, path: f.path, text: f.text }))),
  );
  const values = (kind: GoldKind) =>
    spans.filter((s) => s.kind === kind).map((s) => ({ id: s.id, value: s.text.slice(s.start, s.end) }));

  it('loads with unique ids from several themed files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(55);
    expect(new Set(corpus.map((t) => t.id)).size).toBe(corpus.length);
    expect(new Set(corpus.map((t) => t.file)).size).toBeGreaterThanOrEqual(6);
  });

  it('holds tickets that pass validateTicket, with fields matching the ticket text', () => {
    for (const { id, ticket, fields } of corpus) {
      expect(() => validateTicket(ticket), id).not.toThrow();
      expect(ticket.tenant).toBe('eval');
      const expected = [
        ['summary', ticket.summary],
        ['description', ticket.description],
        ...(ticket.comments ?? []).map((c, i) => [`comments.${i}.body`, c.body]),
      ];
      expect(
        fields.map((f) => [f.path, f.text]),
        id,
      ).toEqual(expected);
    }
  });

  it('has ordered, non-overlapping spans on word boundaries', () => {
    for (const { id, path, text, start, end, kind } of spans) {
      const where = `${id} ${path} ${kind} at ${start}`;
      expect(end, where).toBeGreaterThan(start);
      expect(text[start - 1] ?? ' ', where).not.toMatch(/[\p{L}\p{N}]/u);
      expect(text[end] ?? ' ', where).not.toMatch(/[\p{L}\p{N}]/u);
    }
    for (const { id, fields } of corpus) {
      for (const { path, gold } of fields) {
        for (let i = 1; i < gold.length; i++) {
          expect(gold[i]?.start, `${id} ${path}`).toBeGreaterThanOrEqual(gold[i - 1]?.end ?? 0);
        }
      }
    }
  });

  it('writes every CPR number as 10 digits with an existing, past birth date', () => {
    const cprs = values('CPR');
    for (const { id, value } of cprs) {
      const digits = value.replace(/\D/g, '');
      expect(digits, `${id} ${value}`).toMatch(/^\d{10}$/);
      expect(cprDateExists(digits), `${id} ${value}`).toBe(true);
    }
    const digits = cprs.map(({ value }) => value.replace(/\D/g, ''));
    const written = new Set(cprs.map(({ value }) => value.replace(/\d/g, '9')));
    // Substitute numbers (day + 60), numbers failing modulus 11 and several written forms.
    expect(digits.filter((d) => Number(d.slice(0, 2)) > 60).length).toBeGreaterThanOrEqual(3);
    expect(digits.filter((d) => !passesModulus11(d)).length).toBeGreaterThanOrEqual(3);
    expect(written.size).toBeGreaterThanOrEqual(5);
  });

  it('writes phone numbers as 8 Danish digits and e-mail addresses with an @', () => {
    for (const { id, value } of values('PHONE')) {
      const digits = value.replace(/\D/g, '').replace(/^(?:0045|45)(?=\d{8}$)/, '');
      expect(digits, `${id} ${value}`).toMatch(/^\d{8}$/);
    }
    for (const { id, value } of values('EMAIL')) expect(value, id).toMatch(/^[^\s@]+@[^\s@]+\.[a-z]+$/i);
  });

  it('never annotates pseudonym tokens already in the text', () => {
    for (const { id, value } of spans.map((s) => ({ id: s.id, value: s.text.slice(s.start, s.end) }))) {
      expect(value, id).not.toMatch(PSEUDONYM_TOKEN);
    }
    const tokens = corpus.flatMap((t) =>
      t.fields.flatMap((f) => f.text.match(/\b[A-Z]{2,10}_[A-Z2-7]{16}\b/g) ?? []),
    );
    expect(tokens.length).toBeGreaterThanOrEqual(5);
  });

  it('meets the minimum count per kind', () => {
    const counts = Object.fromEntries(GOLD_KINDS.map((k) => [k, 0])) as Record<GoldKind, number>;
    for (const s of spans) counts[s.kind]++;
    const summary = GOLD_KINDS.map((k) => `${k} ${counts[k]}`).join(', ');
    console.log(`held-out corpus: ${corpus.length} tickets, ${summary}`);
    for (const kind of GOLD_KINDS) expect(counts[kind], kind).toBeGreaterThanOrEqual(MINIMUM[kind]);
  });
});
