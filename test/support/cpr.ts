import { cprYear } from '../../lib/detect/cpr.ts';

/** A small deterministic PRNG, so generated corpora are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A random CPR number with an existing birth date in the past (10 digits, no separator). */
export function randomCpr(random: () => number, options: { substitute?: boolean } = {}): string {
  for (;;) {
    const seventh = Math.floor(random() * 10);
    const yy = Math.floor(random() * 100);
    const year = cprYear(yy, seventh);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * new Date(Date.UTC(year, month, 0)).getUTCDate());
    if (Date.UTC(year, month - 1, day) > Date.now()) continue;
    const serial = `${seventh}${pad(Math.floor(random() * 1000), 3)}`;
    return `${pad(options.substitute ? day + 60 : day)}${pad(month)}${pad(yy)}${serial}`;
  }
}

/** The written forms a CPR number takes in tickets. */
export const CPR_FORMS: Record<string, (cpr: string) => string> = {
  hyphen: (c) => `${c.slice(0, 6)}-${c.slice(6)}`,
  plain: (c) => c,
  space: (c) => `${c.slice(0, 6)} ${c.slice(6)}`,
  dottedDate: (c) => `${c.slice(0, 2)}.${c.slice(2, 4)}.${c.slice(4, 6)}-${c.slice(6)}`,
  enDash: (c) => `${c.slice(0, 6)}\u2013${c.slice(6)}`,
};
