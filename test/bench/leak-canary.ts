// `npm run canary`: the leak canary with many tickets (CANARY_TICKETS, default 3000). Generated
// tickets for every servicedesk adapter go through `npm start`'s server with debug logging, half to a
// loopback Jira through jira.js and half to the local outbox, with developers' replies back through
// the Jira webhook; then every byte that left the proxy and every stored byte is searched for every
// CPR number (any written form), name, e-mail address and phone number that went in.
// Prints hits by kind and place (never a value) and exits 1 if there is any.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCanary } from '../support/leak-canary.ts';

const tickets = Number(process.env.CANARY_TICKETS ?? 3000);
const seed = Number(process.env.CANARY_SEED ?? 2026);
const concurrency = Number(process.env.CANARY_CONCURRENCY ?? 4);
const keep = process.env.CANARY_KEEP_DATA === '1';
const dataDir = await mkdtemp(join(tmpdir(), 'ticket-proxy-canary-'));
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

log(`leak canary: ${tickets} tickets, seed ${seed}, ${concurrency} at a time, data in ${dataDir}`);
let failed = true;
try {
  const report = await runCanary({ tickets, seed, concurrency, dataDir, progress: log });
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`
tickets ${report.tickets} (+${report.updates} second events, ${report.bad} deliberately bad)
answers 202: ${report.accepted}, refused: ${report.refused}
issues in Jira ${report.jiraIssues}, in the outbox ${report.outboxIssues}, dead-letter jobs ${report.deadJobs}
developer replies posted back ${report.replies}
distinct planted values: ${Object.entries(report.planted)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}
server log lines (JSON, debug level) ${report.controls.logLines}

searched:`);
  for (const { place, bytes } of report.searched) console.log(`  ${kb(bytes).padStart(10)}  ${place}`);
  console.log('excluded on purpose:');
  for (const e of report.excluded) console.log(`  ${e}`);
  console.log(
    `\ncontrol: planted values the search could not find in the input (must be 0): ${JSON.stringify(report.controls.missingFromInput)}`,
  );
  console.log(
    `control: planted values found in the stand-in servicedesk's replies (restored on purpose): ${JSON.stringify(report.controls.foundInReplies)}`,
  );
  console.log(
    `\ntimes (s): ${JSON.stringify(Object.fromEntries(Object.entries(report.seconds).map(([k, v]) => [k, +v.toFixed(1)])))}`,
  );
  if (report.unexpected.length > 0) {
    console.log(`\nunexpected (${report.unexpected.length}):`);
    for (const u of report.unexpected.slice(0, 30)) console.log(`  ${u}`);
  }
  console.log(`\nhits: ${report.hits.length}`);
  for (const h of report.hits) {
    console.log(`  ${h.kind} in ${h.place}: ${h.values} value(s), e.g. from tickets ${h.tickets.join(', ')}`);
    for (const c of h.contexts) console.log(`    …${c}…`);
  }
  const blind = Object.values(report.controls.missingFromInput).some((n) => n > 0);
  failed = report.hits.length > 0 || report.unexpected.length > 0 || blind;
  console.log(failed ? '\nFAILED' : '\nno leak');
} finally {
  if (keep) log(`data kept in ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
