import { describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus.ts';
import { evaluate, ratio, TARGETS } from './evaluate.ts';

// The targets, held on both labelled corpora so a change that loses recall fails CI.
// `npm run eval [-- --holdout]` prints the whole table and lists what was missed.
describe.each([
  ['the development corpus', undefined],
  ['the held-out corpus', new URL('./holdout/', import.meta.url)],
])('detection on %s', (_name, dir) => {
  const result = evaluate(loadCorpus(dir));

  it.each(Object.entries(TARGETS.recall))('hides at least the target share of %s values', (kind, target) => {
    const score = result.kinds[kind as keyof typeof result.kinds];
    expect(score.gold).toBeGreaterThan(0);
    expect(ratio(score.hidden, score.gold)).toBeGreaterThanOrEqual(target ?? 1);
  });

  it('keeps at least 99 % of the words that are not personal data', () => {
    expect(result.words.total).toBeGreaterThan(5000);
    expect(ratio(result.words.preserved, result.words.total)).toBeGreaterThanOrEqual(TARGETS.preserved);
  });
});
