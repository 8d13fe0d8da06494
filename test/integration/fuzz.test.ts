import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactAdf } from '../../lib/document/adf.ts';
import { jsmAdapter } from '../../lib/servicedesk/jsm.ts';
import { assertValidAdf } from '../support/adf-schema.ts';
import {
  type ErrorCounts,
  FUZZ_CPR_FORMS,
  fuzzDeps,
  fuzzTicket,
  hostileInput,
  hostileIsClassified,
  parsesOrRefuses,
  rawTicketBytes,
  sanitizeHoldsNoCpr,
  survivingCprs,
} from '../support/fuzz-properties.ts';
import { tokenRedact } from '../support/redact.ts';

// The sanitizer fuzz (test/support/fuzz-properties.ts) with CI-sized counts; `npm run fuzz` runs it
// with 100,000 tickets. Random tickets with ADF and wiki documents, CPR numbers planted in every
// written form the README lists, through the real sanitizer: no planted number survives, and
// nothing throws but the project's classified errors. Random seed on every run; a failure prints
// the seed and path to replay (FUZZ_SEED and FUZZ_PATH for `npm run fuzz`).

const RUNS = Number(process.env.FUZZ_CI_RUNS ?? 3000);
const deps = fuzzDeps();

describe('sanitizer fuzz', () => {
  it(`${RUNS} random tickets with ADF and wiki documents: no planted CPR number survives`, async () => {
    const errors: ErrorCounts = new Map();
    await fc.assert(
      fc.asyncProperty(fuzzTicket, (input) => sanitizeHoldsNoCpr(deps, input, errors)),
      { numRuns: RUNS },
    );
  }, 60_000);

  it(`${Math.ceil(RUNS / 2)} hostile payloads, Jira events and ADF trees: only classified errors`, async () => {
    const errors: ErrorCounts = new Map();
    await fc.assert(
      fc.asyncProperty(hostileInput, (input) => hostileIsClassified(deps, input, errors)),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    // The inputs do reach the parsers' refusals, not only their happy paths.
    expect(errors.get('INVALID_TICKET')).toBeGreaterThan(0);
    expect(errors.get('INVALID_DOCUMENT')).toBeGreaterThan(0);
  }, 60_000);

  it(`${RUNS} raw bodies as generic tickets: only classified errors`, async () => {
    const errors: ErrorCounts = new Map();
    await fc.assert(
      fc.asyncProperty(rawTicketBytes, async (bytes) => {
        await parsesOrRefuses(bytes, errors);
      }),
      { numRuns: RUNS },
    );
  });

  it('the check sees every planted form: each one survives when nothing is sanitized', () => {
    const digits = '1503874215';
    for (const [form, write] of Object.entries(FUZZ_CPR_FORMS)) {
      expect(
        survivingCprs([`x ${write(digits)} y`], [{ digits, written: write(digits), form }]),
      ).toHaveLength(1);
    }
  });
});

describe('found by the fuzz (lib/document/adf.ts)', () => {
  const doc = (...inline: unknown[]) => ({
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Frist ' }, ...inline] }],
  });

  // Found by `npm run fuzz` with FUZZ_KNOWN=1: a CPR number written with dots, or a phone number
  // with dashes, in a structural attribute (a date's `timestamp`, a `localId`) passed as written.
  it('a CPR number or phone number written with dots or dashes in a structural attribute is not passed on', async () => {
    const input = doc(
      { type: 'date', attrs: { timestamp: '05.03.00-2467' } },
      { type: 'status', attrs: { text: 'ok', color: 'blue', localId: '20-30-40-50' } },
    );
    // As a Jira Service Management webhook would deliver it.
    const body = Buffer.from(
      JSON.stringify({ issue: { key: 'SD-1', fields: { summary: 'x', description: input } } }),
    );
    const inbound = jsmAdapter.toTicket({ tenant: 'egedal', headers: {}, body, nowSeconds: 0 }, undefined);
    const out = JSON.stringify(redactAdf(inbound.adf?.description, tokenRedact));
    expect(out).not.toContain('05.03.00-2467');
    expect(out).not.toContain('20-30-40-50');
  });

  // A date's `timestamp` is epoch milliseconds as a string, which the schema requires.
  it('a date node keeps its timestamp, so the output is valid ADF', () => {
    const input = doc({ type: 'date', attrs: { timestamp: '1788246012345' } });
    assertValidAdf(input);
    assertValidAdf(redactAdf(input, tokenRedact));
  });
});
