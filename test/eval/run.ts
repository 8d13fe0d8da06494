// `npm run eval [-- --misses]`: recall and precision of detection per kind on the labelled corpus in
// test/eval/corpus/, and how many ordinary words survive. With --misses, lists what was missed and
// what was taken wrongly (the corpus is fictional, so its values may be printed).
import { loadCorpus } from './corpus.ts';
import { evaluate, ratio, TARGETS } from './evaluate.ts';

// `--holdout`: the held-out corpus in test/eval/holdout/, written later by another hand and never
// looked at while tuning the detectors.
const holdout = process.argv.includes('--holdout');
const result = evaluate(loadCorpus(holdout ? new URL('./holdout/', import.meta.url) : undefined));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

console.log(
  `${holdout ? 'held-out corpus' : 'corpus'}: ${result.tickets} tickets, ${result.characters.toLocaleString('en')} characters\n`,
);
const rows = Object.entries(result.kinds).map(([kind, s]) => ({
  kind,
  gold: s.gold,
  'recall (hidden)': pct(ratio(s.hidden, s.gold)),
  'recall (right kind)': pct(ratio(s.typed, s.gold)),
  detected: s.detected,
  precision: pct(ratio(s.correct, s.detected)),
  target: TARGETS.recall[kind as keyof typeof TARGETS.recall]
    ? `≥ ${pct(TARGETS.recall[kind as 'CPR'] ?? 0)}`
    : '',
}));
console.table(rows);
const preserved = ratio(result.words.preserved, result.words.total);
console.log(
  `non-personal words preserved: ${result.words.preserved} of ${result.words.total} (${pct(preserved)}, target ≥ ${pct(TARGETS.preserved)})`,
);

if (process.argv.includes('--misses')) {
  console.log('\nmissed:');
  for (const m of result.missed) console.log(`  ${m.ticket} ${m.path} ${m.kind} «${m.text}»  …${m.context}…`);
  console.log('\ntaken wrongly:');
  for (const m of result.falsePositives)
    console.log(`  ${m.ticket} ${m.path} ${m.kind} «${m.text}»  …${m.context}…`);
}

const failed = Object.entries(TARGETS.recall).filter(
  ([kind, target]) =>
    ratio(result.kinds[kind as 'CPR'].hidden, result.kinds[kind as 'CPR'].gold) < (target ?? 0),
);
if (failed.length > 0 || preserved < TARGETS.preserved) {
  console.log(
    `\nbelow target: ${[...failed.map(([k]) => k), ...(preserved < TARGETS.preserved ? ['preserved words'] : [])].join(', ')}`,
  );
  process.exitCode = 1;
}
