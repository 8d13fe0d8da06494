// `npm run snapshot -- save`, then `npm run snapshot` after a change meant only to make detection
// faster: every detector's spans and `findPersonalData` on both corpora, generated tickets and canary
// deliveries must come out identical. Not a test: the saved spans stay on this machine (gitignored).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import type { Span } from '../../lib/detect/span.ts';
import { findPersonalData } from '../../lib/sanitize/sanitize-ticket.ts';
import { loadCorpus } from '../eval/corpus.ts';
import { canaryDeliveries } from '../support/canary-tickets.ts';
import { plantedTickets } from '../support/tickets.ts';

const corpora = [...loadCorpus(), ...loadCorpus(new URL('../eval/holdout/', import.meta.url))];
const planted = plantedTickets(1500, 4242).map((p) => p.ticket);
const leaves = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [];
const parsed = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString());
  } catch {
    return body.toString();
  }
};
const canary = canaryDeliveries(400, 7);
const texts = [
  ...corpora.flatMap((t) => t.fields.map((f) => f.text)),
  ...planted.flatMap((t) => [JSON.stringify(t), ...leaves(t)]),
  ...[...canary.first, ...canary.updates].flatMap((d) => leaves(parsed(d.body)).filter((t) => t.length > 3)),
];
const tickets = [...corpora.map((t) => t.ticket), ...planted];

const sorted = (spans: Iterable<Span>) =>
  [...spans].sort((a, b) => a.start - b.start || a.end - b.end || a.confidence - b.confidence);
const snapshot = {
  texts: texts.map((t) => ({
    all: detectSpans(t, defaultDetectors),
    each: Object.fromEntries(defaultDetectors.map((d) => [d.name, sorted(d.detect(t))])),
  })),
  tickets: tickets.map((t) => findPersonalData(t).map((f) => [f.path, f.spans])),
};

const file = new URL('results/detection-snapshot.json', import.meta.url);
if (process.argv[2] === 'save' || !existsSync(file)) {
  writeFileSync(file, JSON.stringify(snapshot));
  console.log(`saved the spans of ${texts.length} texts and ${tickets.length} tickets`);
} else {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as typeof snapshot;
  let differences = 0;
  const compare = (what: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    // Which item and detector differ, never the text: the corpora hold personal data, if made up.
    if (++differences <= 10) console.log(`differs: ${what}`);
  };
  for (const [i, t] of snapshot.texts.entries()) {
    compare(`text ${i}, detectSpans`, saved.texts[i]?.all, t.all);
    for (const d of defaultDetectors)
      compare(`text ${i}, ${d.name}`, saved.texts[i]?.each[d.name], t.each[d.name]);
  }
  for (const [i, t] of snapshot.tickets.entries())
    compare(`ticket ${i}, findPersonalData`, saved.tickets[i], t);
  console.log(
    differences
      ? `${differences} differences`
      : `identical on ${texts.length} texts and ${tickets.length} tickets`,
  );
  process.exitCode = differences ? 1 : 0;
}
