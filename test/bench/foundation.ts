// `npm run bench`: figures for the foundation's hot paths. Not a test: no thresholds.
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
import { meterDynamo, perTicket } from './dynamo-meter.ts';
import { percentile, Report } from './report.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const corpus = plantedTickets(TICKETS, 2026);
const report = new Report(
  'foundation',
  `ticket-proxy foundation benchmark: ${TICKETS} generated tickets, Node ${process.version}`,
);

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
report.add(
  'detection throughput (CPR, e-mail, phone, secrets, names)',
  (bytes * rounds) / seconds / 1e6,
  'MB/s',
  'generated tickets, one core',
);

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
  report.add(`sanitize one ticket, ${pass}, p50`, percentile(times, 0.5), 'ms', 'dynalite on disk');
  report.add(`sanitize one ticket, ${pass}, p99`, percentile(times, 0.99), 'ms');
  report.add(`sanitize, ${pass}, sequential`, TICKETS / total, 'tickets/s');
}
await dynamo.close();
await rm(dir, { recursive: true, force: true });

// The AWS key path: the real KMS client against the loopback KMS, counting KMS calls and DynamoDB
// reads and writes per ticket (in-memory dynalite, which reports capacity units as DynamoDB does).
const kms = await new FakeKms().start();
const memory = await openEmbeddedDynamo();
const meter = meterDynamo(memory.client);
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
const size = Math.min(500, Math.floor(TICKETS / 2));
const [first, second] = [corpus.slice(0, size), corpus.slice(size, 2 * size)];
const passes = [
  ['cold process, new tickets', first],
  ['warm process, new tickets', second],
  ['warm process, the same tickets again (known tokens)', first],
] as const;
for (const [pass, slice] of passes) {
  const kmsBefore = kms.calls.length;
  meter.take();
  for (const { ticket } of slice)
    await sanitizeTicket(ticket, { pseudonymizer: awsPseudonymizer, retention, vault: awsVault });
  const d = perTicket(meter.take(), slice.length);
  const label = (what: string) => `${what} per ticket, ${pass}`;
  const kmsCalls = (kms.calls.length - kmsBefore) / slice.length;
  report.add(label('KMS calls'), kmsCalls, 'calls', `real KMS client, loopback KMS, ${size} tickets`);
  report.add(label('DynamoDB requests'), d.readRequests + d.writeRequests, 'requests');
  report.add(label('DynamoDB reads'), d.readRequests, 'requests', `${d.readItems.toFixed(2)} items`);
  report.add(label('DynamoDB read units'), d.readUnits, 'RRU', 'as dynalite reports them');
  report.add(label('DynamoDB writes'), d.writeRequests, 'requests');
  report.add(label('DynamoDB items written'), d.writeItems, 'items', 'each item of a batch counts');
  report.add(label('DynamoDB write units'), d.writeUnits, 'WRU');
}
kmsClient.destroy();
await memory.close();
await kms.stop();

await report.save();
