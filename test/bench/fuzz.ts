// `npm run fuzz`: the sanitizer fuzzed with fast-check (properties in test/support/fuzz-properties.ts).
//
//   FUZZ_RUNS   random tickets, each with an ADF and a wiki document (default 100000); the hostile
//               inputs and raw bodies get a fifth of that each
//   FUZZ_SEED   fast-check's seed (default: random, printed); FUZZ_PATH replays one counterexample
//   FUZZ_ONLY   tickets | hostile | raw: one property only
//
// Invariants: no planted CPR number, in any written form the README lists, survives sanitizing;
// nothing throws but the project's classified errors (TicketProxyError with a code from ErrorCode).
// Prints runs, time, the error codes seen and any counterexample with its seed and path.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import {
  type ErrorCounts,
  fuzzDeps,
  fuzzTicket,
  hostileInput,
  hostileIsClassified,
  parsesOrRefuses,
  rawTicketBytes,
  sanitizeHoldsNoCpr,
} from '../support/fuzz-properties.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const path = process.env.FUZZ_PATH;
const only = process.env.FUZZ_ONLY;
const deps = fuzzDeps();

interface Fuzzed<T> {
  name: string;
  runs: number;
  arbitrary: fc.Arbitrary<T>;
  check: (input: T, errors: ErrorCounts) => Promise<unknown>;
}
const fuzzed = <T>(f: Fuzzed<T>) => f as unknown as Fuzzed<unknown>;
const properties = [
  fuzzed({
    name: 'tickets',
    runs,
    arbitrary: fuzzTicket,
    check: (input, errors) => sanitizeHoldsNoCpr(deps, input, errors),
  }),
  fuzzed({
    name: 'hostile',
    runs: Math.ceil(runs / 5),
    arbitrary: hostileInput,
    check: (input, errors) => hostileIsClassified(deps, input, errors),
  }),
  fuzzed({ name: 'raw', runs: Math.ceil(runs / 5), arbitrary: rawTicketBytes, check: parsesOrRefuses }),
];

console.log(`fuzz: seed ${seed}${path ? `, path ${path}` : ''}`);
let failed = false;
for (const { name, runs: numRuns, arbitrary, check } of properties) {
  if (only && only !== name) continue;
  const errors: ErrorCounts = new Map();
  const started = performance.now();
  let done = 0;
  let reported = started;
  // The runs resolve through microtasks only (the vault is in memory): a timer would never fire.
  const property = fc.asyncProperty(arbitrary, async (input) => {
    if (++done % 1000 === 0 && performance.now() - reported > 30_000) {
      reported = performance.now();
      console.log(`  ${name}: ${done} runs, ${((reported - started) / 1000).toFixed(0)} s`);
    }
    await check(input, errors);
  });
  const details = await fc.check(property, { numRuns, seed, ...(path && { path, endOnFailure: true }) });
  const seconds = (performance.now() - started) / 1000;
  const codes = [...errors].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  console.log(
    `${name}: ${details.numRuns} runs in ${seconds.toFixed(1)} s (${((details.numRuns / seconds) | 0).toLocaleString('en')}/s); classified refusals: ${codes}`,
  );
  if (details.failed) {
    failed = true;
    console.log(fc.defaultReportMessage(details) ?? '');
    console.log(
      `replay: FUZZ_ONLY=${name} FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npm run fuzz`,
    );
  }
}
console.log(failed ? 'FAILED' : 'no counterexample');
process.exitCode = failed ? 1 : 0;
