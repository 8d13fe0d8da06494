// `npm run bench`: figures for the foundation's hot paths, printed as a table. Not a test: no thresholds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KMSClient } from '@aws-sdk/client-kms';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { KmsKeyRing } from '../../lib/keys/kms-key-ring.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { sanitizeTicket } from '../../lib/sanitize/sanitize-ticket.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';
import { FakeKms } from '../support/fake-kms.ts';
import { plantedTickets } from '../support/tickets.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const corpus = plantedTickets(TICKETS, 2026);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const rows: [string, string][] = [];

// Detection alone: pure CPU, one core.
const texts = corpus.flatMap(({ ticket }) => [
  ticket.summary,
  ticket.description,
  ...(ticket.comments ?? []).map((c) => c.body),
]);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
for (const t of texts) detectSpans(t, defaultDetectors); // warm up
const start = performance.now();
const rounds = 20;
for (let r = 0; r < rounds; r++) for (const t of texts) detectSpans(t, defaultDetectors);
const seconds = (performance.now() - start) / 1000;
rows.push([
  'detection throughput (CPR, e-mail, phone, secrets, names)',
  `${((bytes * rounds) / seconds / 1e6).toFixed(1)} MB/s`,
]);

// Whole sanitizer on the embedded default: dynalite on disk, local key file.
const dir = await mkdtemp(join(tmpdir(), 'ticket-proxy-bench-'));
const dynamo = await openEmbeddedDynamo({ dataDir: dir });
const vault = new DynamoTokenVault(dynamo.client);
const keys = new TenantKeys(await LocalFileKeyRing.open(join(dir, 'master.key')), vault);
const pseudonymizer = new Pseudonymizer({ keys, vault });
const retention = new Retention();
for (const pass of ['first sight (new tokens)', 'repeat (known tokens)'] as const) {
  const times: number[] = [];
  const began = performance.now();
  for (const { ticket } of corpus) {
    const t0 = performance.now();
    await sanitizeTicket(ticket, { pseudonymizer, retention, vault });
    times.push(performance.now() - t0);
  }
  const total = (performance.now() - began) / 1000;
  times.sort((a, b) => a - b);
  rows.push([
    `sanitize one ticket, ${pass}`,
    `p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, ${(TICKETS / total).toFixed(0)} tickets/s sequential`,
  ]);
}
await dynamo.close();
await rm(dir, { recursive: true, force: true });

// The AWS key path: the real KMS client against the loopback KMS, counting calls per ticket.
const kms = await new FakeKms().start();
const memory = await openEmbeddedDynamo();
let dynamoRequests = 0;
memory.client.middlewareStack.add((next) => (args) => {
  dynamoRequests++;
  return next(args);
});
const kmsClient = new KMSClient({
  endpoint: kms.url,
  region: 'eu-north-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const awsVault = new DynamoTokenVault(memory.client);
const awsPseudonymizer = new Pseudonymizer({
  keys: new TenantKeys(new KmsKeyRing(kmsClient, kms.keyId), awsVault),
  vault: awsVault,
});
const slice = corpus.slice(0, Math.min(500, TICKETS));
for (const pass of ['cold process, first tickets', 'warm process'] as const) {
  const [kmsBefore, dynamoBefore] = [kms.calls.length, dynamoRequests];
  for (const { ticket } of slice)
    await sanitizeTicket(ticket, { pseudonymizer: awsPseudonymizer, retention, vault: awsVault });
  const perTicket = (n: number) => (n / slice.length).toFixed(3);
  rows.push([
    `per ticket with KMS key ring, ${pass}`,
    `${perTicket(kms.calls.length - kmsBefore)} KMS calls, ${perTicket(dynamoRequests - dynamoBefore)} DynamoDB requests`,
  ]);
}
kmsClient.destroy();
await memory.close();
await kms.stop();

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`ticket-proxy foundation benchmark: ${TICKETS} generated tickets, Node ${process.version}\n`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
