// `npm run bench` (first part): detection on the labelled corpus of realistic tickets, one core,
// and the same texts through an existing PII redaction package from npm. Not a test: no thresholds.
import { performance } from 'node:perf_hooks';
import { Redactor } from '@redactpii/node';
import { SyncRedactor } from 'redact-pii';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import { hmacSha256 } from '../../lib/keys/hmac.ts';
import { formatToken, normalizeValue, type TokenKind } from '../../lib/pseudonymize/token.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { findPersonalData, type SanitizeDeps, sanitizeTicket } from '../../lib/sanitize/sanitize-ticket.ts';
import { GOLD_KINDS, loadCorpus } from '../eval/corpus.ts';
import { percentile, Report } from './report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARM_UP_ROUNDS = 30;
const corpus = loadCorpus();
const texts = corpus.flatMap((t) => t.fields.map((f) => f.text));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

/**
 * MB/s of `fn` over every text, once warm: the optimizing compiler takes a few dozen rounds of this
 * small corpus to finish, and a long-running process pays that once.
 */
function throughput(fn: (text: string) => unknown): number {
  for (let r = 0; r < WARM_UP_ROUNDS; r++) for (const t of texts) fn(t);
  const start = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const t of texts) fn(t);
  return (bytes * ROUNDS) / ((performance.now() - start) / 1000) / 1e6;
}

// Detection and pseudonymization of a whole ticket, in memory: what the sanitizer does before the
// vault is written (the vault's own cost is in the foundation benchmark below).
const key = Buffer.alloc(32, 7);
/** Tokens as the pseudonymizer makes them, under one key and without the vault. */
function tokensOf(values: readonly { kind: TokenKind; value: string }[]): string[] {
  const mac = hmacSha256(key);
  return values.map((v) => formatToken(v.kind, mac(`${v.kind}\0${normalizeValue(v.kind, v.value)}`)));
}
const pseudonymize = (ticket: (typeof corpus)[number]['ticket']) =>
  tokensOf(
    findPersonalData(ticket).flatMap(({ text, spans }) =>
      spans.map((s) => ({ kind: s.kind as TokenKind, value: text.slice(s.start, s.end) })),
    ),
  );

/** Each ticket's time through `fn`, sorted, once warm; and the seconds they took in all. */
async function perTicket(fn: (ticket: (typeof corpus)[number]['ticket']) => unknown) {
  for (let r = 0; r < WARM_UP_ROUNDS; r++) for (const { ticket } of corpus) await fn(ticket);
  const times: number[] = [];
  const began = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const { ticket } of corpus) {
      const t0 = performance.now();
      await fn(ticket);
      times.push(performance.now() - t0);
    }
  }
  const seconds = (performance.now() - began) / 1000;
  return { times: times.sort((a, b) => a - b), seconds };
}
const { times: latencies, seconds: ticketSeconds } = await perTicket(pseudonymize);

// The whole sanitizer as production runs it (its checks, the documents' rewriting, the schema's
// limits), with the same tokens and no vault: the vault's cost is in the foundation benchmark.
const inMemory = {
  pseudonymizer: { tokenize: async (_: unknown, values: Parameters<typeof tokensOf>[0]) => tokensOf(values) },
  retention: new Retention(),
  vault: { getTicket: async () => undefined },
} as unknown as SanitizeDeps;
const { times: sanitizeLatencies } = await perTicket((ticket) => sanitizeTicket(ticket, inMemory));

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
// Two packages from npm: @redactpii/node, regex only and fast; and redact-pii, the package it forked,
// the most downloaded of them, which also looks for names (English ones, from a list and greetings).
const redactpii = new Redactor();
const redactPii = new SyncRedactor();
const packages = [
  ['@redactpii/node 1.0.17', (text: string) => redactpii.redact(text)],
  ['redact-pii 3.4.0', (text: string) => redactPii.redact(text)],
] as const;

const oursMBs = throughput((t) => detectSpans(t, defaultDetectors));
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
report.add('sanitizeTicket per ticket (in memory, no vault), p50', percentile(sanitizeLatencies, 0.5), 'ms');
report.add('sanitizeTicket per ticket (in memory, no vault), p99', percentile(sanitizeLatencies, 0.99), 'ms');
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
// Shapes that once made a regex backtrack or a loop go quadratic (each took seconds at 100-300 KB):
// printed here, so that a change that brings one back shows.
const HOSTILE = 500_000;
const hostile: Record<string, string> = {
  'a line of tabs under a table header': `Navn;Telefon\nJens Hansen;20304050\n${'\t'.repeat(HOSTILE)}`,
  'wiki mentions that never close, `[~[~…`': '[~'.repeat(HOSTILE / 2),
  'CPR numbers glued together, `010190-010190-…`': '010190-'.repeat(HOSTILE / 7),
  'private key BEGIN lines without an END': '-----BEGIN RSA PRIVATE KEY-----'.repeat(HOSTILE / 31),
  'one word of letters': 'a'.repeat(HOSTILE),
  'names only': 'Jens Hansen '.repeat(HOSTILE / 12),
};
for (const [shape, text] of Object.entries(hostile)) {
  const start = performance.now();
  detectSpans(text, defaultDetectors);
  report.add(`500,000 characters of ${shape}`, performance.now() - start, 'ms');
}
for (const [name, redact] of packages) {
  const theirsMBs = throughput(redact);
  report.add(`${name} on the same texts`, theirsMBs, 'MB/s');
  report.add(`speed ratio, ticket-proxy / ${name}`, oursMBs / theirsMBs, '×');
}
for (const [name, redact] of [['ticket-proxy', ours], ...packages] as const) {
  const h = hidden(redact);
  for (const kind of GOLD_KINDS) report.add(`values hidden by ${name}, ${kind}`, h[kind] ?? 0, '%');
}
await report.save();
