// `npm run bench` (first part): detection on the labelled corpus of realistic tickets, one core,
// and the same texts through an existing PII redaction package from npm. Not a test: no thresholds.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redactor } from '@redactpii/node';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import { formatToken, normalizeValue, type TokenKind } from '../../lib/pseudonymize/token.ts';
import { findPersonalData } from '../../lib/sanitize/sanitize-ticket.ts';
import { GOLD_KINDS, loadCorpus } from '../eval/corpus.ts';
import { percentile, Report } from './report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const corpus = loadCorpus();
const texts = corpus.flatMap((t) => t.fields.map((f) => f.text));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

/** MB/s of `fn` over every text, after a warm-up round. */
function throughput(fn: (text: string) => unknown): number {
  for (const t of texts) fn(t);
  const start = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const t of texts) fn(t);
  return (bytes * ROUNDS) / ((performance.now() - start) / 1000) / 1e6;
}

// Detection and pseudonymization of a whole ticket, in memory: what the sanitizer does before the
// vault is written (the vault's own cost is in the foundation benchmark below).
const key = Buffer.alloc(32, 7);
function pseudonymize(ticket: (typeof corpus)[number]['ticket']): string[] {
  return findPersonalData(ticket).flatMap(({ text, spans }) =>
    spans.map((s) => {
      const value = normalizeValue(s.kind as TokenKind, text.slice(s.start, s.end));
      return formatToken(
        s.kind as TokenKind,
        createHmac('sha256', key).update(`${s.kind}\0${value}`).digest(),
      );
    }),
  );
}
for (const { ticket } of corpus) pseudonymize(ticket);
const latencies: number[] = [];
const began = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  for (const { ticket } of corpus) {
    const t0 = performance.now();
    pseudonymize(ticket);
    latencies.push(performance.now() - t0);
  }
}
const ticketSeconds = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);

/** Share of gold values of each kind that no longer appear in a redacted text. */
function hidden(redact: (text: string, path: string, ticket: Ticket) => string): Record<string, number> {
  const counts = Object.fromEntries(GOLD_KINDS.map((k) => [k, [0, 0]])) as Record<string, [number, number]>;
  for (const { ticket, fields } of corpus) {
    for (const { path, text, gold } of fields) {
      const out = redact(text, path, ticket);
      for (const g of gold) {
        const c = counts[g.kind] as [number, number];
        c[1]++;
        if (!out.includes(text.slice(g.start, g.end))) c[0]++;
      }
    }
  }
  return Object.fromEntries(Object.entries(counts).map(([k, [h, n]]) => [k, (100 * h) / Math.max(1, n)]));
}
type Ticket = (typeof corpus)[number]['ticket'];
/** What the sanitizer writes: it also knows the reporter and comment authors. */
const ours = (_text: string, path: string, ticket: Ticket) => {
  const field = findPersonalData(ticket).find((f) => f.path === path);
  if (!field) return '';
  let out = '';
  let at = 0;
  for (const s of field.spans) {
    out += `${field.text.slice(at, s.start)}${s.kind}_TOKEN`;
    at = s.end;
  }
  return out + field.text.slice(at);
};
const redactor = new Redactor();
const theirs = (text: string) => redactor.redact(text);

const oursMBs = throughput((t) => detectSpans(t, defaultDetectors));
const theirsMBs = throughput((t) => theirs(t));
const report = new Report('detection', `ticket-proxy detection benchmark, Node ${process.version}`);
report.add(
  'corpus',
  corpus.length,
  'tickets',
  `${texts.length} texts, ${(bytes / 1024).toFixed(0)} KiB, ${ROUNDS} rounds`,
);
report.add('detection, every detector, one core', oursMBs, 'MB/s');
report.add('detection + pseudonymization per ticket (in memory), p50', percentile(latencies, 0.5), 'ms');
report.add('detection + pseudonymization per ticket (in memory), p99', percentile(latencies, 0.99), 'ms');
report.add(
  'detection + pseudonymization (in memory), throughput',
  (bytes * ROUNDS) / ticketSeconds / 1e6,
  'MB/s',
);
// Where the time goes: each detector alone, one round, and the round that checks the fixpoint.
const oneRoundMBs = throughput((t) => {
  for (const d of defaultDetectors) for (const _ of d.detect(t));
});
report.add('one round of every detector, no merging', oneRoundMBs, 'MB/s', 'the rest is the second round');
for (const detector of defaultDetectors) {
  const mbs = throughput((t) => {
    for (const _ of detector.detect(t));
  });
  report.add(`  ${detector.name} detector alone, one round`, 1000 / mbs, 'ms/MB', `${mbs.toFixed(0)} MB/s`);
}
report.add('@redactpii/node 1.0.17 on the same texts', theirsMBs, 'MB/s');
report.add('speed ratio, ticket-proxy / @redactpii/node', oursMBs / theirsMBs, '×');
for (const [name, redact] of [
  ['ticket-proxy', ours],
  ['@redactpii/node', (text: string) => theirs(text)],
] as const) {
  const h = hidden(redact);
  for (const kind of GOLD_KINDS) report.add(`values hidden by ${name}, ${kind}`, h[kind] ?? 0, '%');
}
await report.save();
