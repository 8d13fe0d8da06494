import fc from 'fast-check';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import type { Redact } from '../../lib/document/replacements.ts';

/** A fixed token per kind, so tests can spell out the output they expect. */
export const token = (kind: string) => `${kind}_${'A'.repeat(16)}`;

/** A real redactor without a vault: the project's detectors, each span replaced by its kind's token. */
export const tokenRedact: Redact = (text) =>
  detectSpans(text, defaultDetectors).map((s) => ({ start: s.start, end: s.end, text: token(s.kind) }));

/** One to four ordinary Danish words in which no detector finds anything. */
export const plainWords = fc
  .array(
    fc.constantFrom(
      'printer',
      'virker',
      'ikke',
      'efter',
      'opdatering',
      'skærm',
      'mødelokale',
      'adgang',
      'sag',
      'fra',
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((w) => w.join(' '));
