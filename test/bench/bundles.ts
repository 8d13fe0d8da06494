// `npm run bench`: each Lambda function's bundle as the stack builds it (esbuild, ESM, minified,
// SDK included), its size, and the time a fresh Node process takes to load it: the module-load
// part of a cold start. Not a test: no thresholds.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Report } from './report.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const LOADS = 5;
const out = await mkdtemp(join(tmpdir(), 'ticket-proxy-bundles-'));
const entries = (await readdir(join(ROOT, 'functions'))).filter((f) => f.endsWith('.ts')).sort();
const report = new Report(
  'bundles',
  `Lambda bundles as the stack builds them (esbuild, ESM, minified, SDK included), Node ${process.version}; ` +
    `module load: a fresh process, median of ${LOADS}`,
);

try {
  for (const entry of entries) {
    const outfile = join(out, `${basename(entry, '.ts')}.mjs`);
    // The options of infra/constructs/ticket-proxy-function.ts.
    await build({
      entryPoints: [join(ROOT, 'functions', entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const code = await readFile(outfile);
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      // A fresh process each time, as a cold Lambda: nothing cached. Environment a handler expects at
      // load time is absent on purpose; handlers read it on first use.
      const ms = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now();await import(${JSON.stringify(outfile)});console.log(performance.now()-t)`,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      loads.push(Number(ms));
    }
    loads.sort((a, b) => a - b);
    const name = basename(entry, '.ts');
    report.add(`${name}: bundle`, code.byteLength / 1e6, 'MB');
    report.add(`${name}: gzipped`, gzipSync(code).byteLength / 1e3, 'KB');
    report.add(`${name}: module load`, loads[Math.floor(LOADS / 2)] ?? 0, 'ms');
  }
} finally {
  await rm(out, { recursive: true, force: true });
}

await report.save();
