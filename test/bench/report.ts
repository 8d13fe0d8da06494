// The `npm run bench` scripts' shared reporter: each script records its figures as rows, prints them
// as a table and merges them, as one section, into test/bench/results/latest.json together with the
// machine they were measured on. results/reference.json is a copy of a whole run, kept as the
// published reference (README, Figures); latest.json is ignored by git.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
}

export interface Section {
  title: string;
  measuredAt: string;
  machine: Machine;
  figures: Figure[];
  /** What the figures were computed from, when that is not measured here (the cost model's prices). */
  inputs?: Record<string, unknown>;
}

export interface Results {
  updatedAt: string;
  machine: Machine;
  sections: Record<string, Section>;
}

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
export const LATEST = `${RESULTS_DIR}latest.json`;
export const REFERENCE = `${RESULTS_DIR}reference.json`;

export function machine(): Machine {
  return {
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()}-${arch()}`,
  };
}

/** The p-th quantile (0..1) of ascending numbers, nearest rank. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** At most four significant digits: enough for figures measured on a shared machine. */
const round = (value: number) => (Number.isInteger(value) ? value : Number(value.toPrecision(4)));

function format(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100 || (Number.isInteger(value) && abs >= 10)) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value === 0 ? '0' : value.toPrecision(2);
}

export class Report {
  readonly figures: Figure[] = [];
  inputs: Record<string, unknown> | undefined;
  readonly section: string;
  readonly title: string;

  constructor(section: string, title: string) {
    this.section = section;
    this.title = title;
  }

  /** Records one figure and returns its value. */
  add(name: string, value: number, unit: string, note?: string): number {
    this.figures.push({ name, value: round(value), unit, ...(note && { note }) });
    return value;
  }

  print(): void {
    const rows = this.figures.map((f) => [f.name, `${format(f.value)} ${f.unit}`.trim(), f.note ?? '']);
    const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
    console.log(`\n${this.title}\n`);
    for (const [name = '', value = '', note = ''] of rows) {
      console.log(`${name.padEnd(widths[0] ?? 0)}  ${value.padEnd(widths[1] ?? 0)}  ${note}`.trimEnd());
    }
  }

  /** Prints the table and merges this section into latest.json. */
  async save(): Promise<void> {
    this.print();
    await mkdir(RESULTS_DIR, { recursive: true });
    const results = (await readResults(LATEST)) ?? { updatedAt: '', machine: machine(), sections: {} };
    const now = new Date().toISOString();
    results.updatedAt = now;
    results.machine = machine();
    results.sections[this.section] = {
      title: this.title,
      measuredAt: now,
      machine: machine(),
      figures: this.figures,
      ...(this.inputs && { inputs: this.inputs }),
    };
    // Written aside and renamed: a reader never sees half a file.
    await writeFile(`${LATEST}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
    await rename(`${LATEST}.tmp`, LATEST);
    console.log(`\n(${this.figures.length} figures written to test/bench/results/latest.json)`);
  }
}

export async function readResults(path: string): Promise<Results | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

/** A figure of an earlier section, by section and name; undefined when it was not measured. */
export function figureOf(results: Results | undefined, section: string, name: string): number | undefined {
  return results?.sections[section]?.figures.find((f) => f.name === name)?.value;
}
