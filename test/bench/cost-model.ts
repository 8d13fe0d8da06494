// `npm run bench` (last): what a million tickets cost on AWS in eu-north-1, split by service, from the
// figures measured earlier in the same run (results/latest.json; results/reference.json when run
// alone) and the list prices and assumptions below, each stated with its source. An estimate of the
// variable cost, not a quote: no free tiers, no savings plans, no taxes, no data transfer out.
//
// Prices were looked up on 2026-11-23. AWS's pricing pages render their regional tables in the
// browser, so no eu-north-1 (Stockholm) figure could be read from them: every price below is the
// us-east-1 list price as published (or quoted from it by the source named), ASSUMED to be the same
// in eu-north-1. Lambda's is the one regional price with indirect evidence (see there).
import { figureOf, LATEST, REFERENCE, Report, readResults } from './report.ts';

const CHECKED = '2026-11-23';
/** `amount` dollars per `count` of `unit`; `usd` is the price of one. */
const price = (amount: number, count: number, unit: string, source: string) => ({
  amount,
  per: `${count === 1 ? '' : `${count.toLocaleString('en-US')} `}${unit}`,
  usd: amount / count,
  source,
});
const PRICES = {
  lambdaGbSecond: price(
    0.0000133334,
    1,
    'GB-second, arm64, first 7.5 billion GB-s a month',
    'aws.amazon.com/lambda/pricing (us-east-1 example); eu-north-1 assumed equal: artillery@2.0.28 ' +
      'lib/platform/aws-lambda/prices.js lists the regions that differ and eu-north-1 is not one',
  ),
  lambdaRequest: price(0.2, 1e6, 'requests', 'aws.amazon.com/lambda/pricing ($0.20 per million)'),
  dynamoWrite: price(
    0.625,
    1e6,
    'write request units, on-demand',
    'us-east-1 after the November 2024 cut ($0.625 per million), as quoted by airbyte.com, 2025-07',
  ),
  dynamoRead: price(0.125, 1e6, 'read request units, on-demand', 'same source ($0.125 per million)'),
  dynamoStorage: price(
    0.25,
    1,
    'GB-month, Standard table class',
    'us-east-1 list price; UNVERIFIED, assumed',
  ),
  dynamoBackup: price(
    0.2,
    1,
    'GB-month of continuous backups (PITR)',
    'us-east-1 list price; UNVERIFIED, assumed',
  ),
  kmsRequest: price(0.03, 1e4, 'symmetric requests', 'aws.amazon.com/kms/pricing ($0.03 per 10,000)'),
  kmsKeyMonth: price(1, 1, 'customer managed key-month', 'aws.amazon.com/kms/pricing ($1 per key per month)'),
  sqsFifoRequest: price(
    0.5,
    1e6,
    'FIFO requests (each 64 KB chunk of a message is a request)',
    'us-east-1, $0.50 per million, as quoted by cloudburn.io (2026-03) and factualminds.com (2026-06)',
  ),
  httpApiRequest: price(
    1,
    1e6,
    'HTTP API requests (512 KB increments), first 300 million a month',
    'aws.amazon.com/api-gateway/pricing (pricing example, US regions)',
  ),
  logsIngestion: price(
    0.5,
    1,
    'GB ingested, Standard log class',
    'us-east-1, as quoted by c3x.dev (2026-06)',
  ),
  logsStorage: price(0.03, 1, 'GB-month archived', 'us-east-1, same source; billed on compressed size'),
  xrayTrace: price(
    5,
    1e6,
    'traces recorded',
    'us-east-1 list price ($5.00 per million); UNVERIFIED, assumed',
  ),
  secretMonth: price(0.4, 1, 'secret-month', 'aws.amazon.com/secrets-manager/pricing (pricing examples)'),
  secretsApiCall: price(0.05, 1e4, 'API calls', 'aws.amazon.com/secrets-manager/pricing ($0.05 per 10,000)'),
  alarmMonth: price(0.1, 1, 'standard alarm-month', 'us-east-1 list price; UNVERIFIED, assumed'),
  dashboardMonth: price(3, 1, 'dashboard-month', 'factualminds.com (2026-06), us-east-1'),
};

/** Stated assumptions: what the local measurements cannot say about AWS. */
const ASSUME = {
  /** infra/constructs/ticket-proxy-function.ts: memorySize 512 for every function. */
  memoryGb: 0.5,
  /** One in-region DynamoDB or SQS round trip from Lambda ("single-digit milliseconds"); added on top of the local time. */
  roundTripMs: 10,
  /** The webhook's sequential round trips: Query and GetItem, three rounds of writes (README, Vault table), SendMessage. */
  webhookRoundTrips: 6,
  /** The writer's for a new issue: GetItem, UpdateItem (the create attempt), UpdateItem (the key), PutItem (the link). */
  writerRoundTrips: 4,
  /** Jira Cloud calls for a new ticket: search, create, comments, attachments, one comment added. */
  jiraCallsPerTicket: 5,
  /** One Jira Cloud call from Stockholm, assumed; the writer waits for each. */
  jiraCallMs: 150,
  /** Jobs per writer invocation. The mapping takes up to 10; 1 is the worst case (low volume). */
  writerBatch: 1,
  /** SQS requests per job besides SendMessage: ReceiveMessage and DeleteMessage, per batch. */
  sqsConsumerRequestsPerBatch: 2,
  /** START, END and REPORT lines Lambda writes per invocation, bytes. */
  lambdaPlatformLogBytes: 350,
  /** One HTTP API access log line (jsonWithStandardFields with the stage's fields), bytes. */
  accessLogBytes: 300,
  /** Log groups keep six months (infra); stored uncompressed here, so an upper bound. */
  logRetentionMonths: 6,
  /** How long a ticket's vault items live on average: open time + 90 days after closing + the 7-day TTL margin. */
  vaultMonths: 4,
  /** X-Ray's default sampling for active tracing: the first request each second, then 5 %. */
  xraySampled: 0.05,
  /** Fixed, per month: webhook secrets, one per tenant, plus the Jira connection and Jira webhook secrets. */
  tenants: 10,
  /** 7 customer managed keys in the synthesized stack (cdk.out, 2026-11-23); rotation adds $1 each for two years. */
  kmsKeys: 7,
  /** Requests AWS services make with those keys (DynamoDB table keys, SQS data keys, logs), per month, assumed. */
  serviceKmsRequests: 100_000,
  /** Warm containers refreshing cached secrets every 5 minutes (SECRET_MAX_AGE_SECONDS), assumed. */
  warmContainers: 4,
  /** In the synthesized stack (cdk.out, one tenant, 2026-11-23). */
  alarms: 12,
  dashboards: 1,
  /** Lambda's SQS pollers long-polling an idle FIFO queue: about 5 pollers × 3 receives a minute, assumed. */
  idleSqsRequests: 5 * 3 * 60 * 24 * 30,
};

const latest = await readResults(LATEST);
const results = latest ?? (await readResults(REFERENCE));
const from = latest ? 'results/latest.json' : 'results/reference.json';
const measured = (section: string, name: string): number => {
  const value = figureOf(results, section, name);
  if (value === undefined) {
    console.error(`cost-model: "${section}: ${name}" was not measured; run npm run bench first.`);
    process.exit(1);
  }
  return value;
};
const known = 'warm process, the same tickets again (known tokens)';
const m = {
  webhookMs: measured('pipeline', 'request → 202 (sanitized and queued), p50'),
  writerMs: measured('pipeline', 'queued → written to the outbox, p50'),
  webhookRru: measured('pipeline', 'webhook: DynamoDB read units per ticket'),
  webhookWru: measured('pipeline', 'webhook: DynamoDB write units per ticket'),
  writerRru: measured('pipeline', 'writer: DynamoDB read units per ticket'),
  writerWru: measured('pipeline', 'writer: DynamoDB write units per ticket'),
  knownRru: measured('foundation', `DynamoDB read units per ticket, ${known}`),
  knownWru: measured('foundation', `DynamoDB write units per ticket, ${known}`),
  kmsCalls: measured('foundation', 'KMS calls per ticket, warm process, new tickets'),
  jobBytes: measured('pipeline', 'queued job, mean size'),
  logBytes:
    measured('pipeline', 'webhook: log bytes per ticket') +
    measured('pipeline', 'writer: log bytes per ticket'),
  storedBytes: measured('pipeline', 'vault: stored bytes per ticket'),
};

const MILLION = 1e6;
const GB = 1e9;
const invocations = 1 + 1 / ASSUME.writerBatch;
const webhookSeconds = (m.webhookMs + ASSUME.webhookRoundTrips * ASSUME.roundTripMs) / 1000;
const writerSeconds =
  (m.writerMs +
    ASSUME.writerRoundTrips * ASSUME.roundTripMs +
    ASSUME.jiraCallsPerTicket * ASSUME.jiraCallMs) /
  1000;
const logGb =
  (m.logBytes + invocations * ASSUME.lambdaPlatformLogBytes + ASSUME.accessLogBytes) * (MILLION / GB);
const storedGbMonths = ((m.storedBytes * MILLION) / GB) * ASSUME.vaultMonths;
const sqsRequests =
  Math.ceil(m.jobBytes / 65_536) * (1 + ASSUME.sqsConsumerRequestsPerBatch / ASSUME.writerBatch);

const report = new Report(
  'cost',
  `ticket-proxy cost model: US dollars per million tickets (one webhook event each) in eu-north-1, ` +
    `list prices of ${CHECKED} (us-east-1's, assumed equal), from the figures in ${from}`,
);
const perMillion: [string, number, string][] = [
  [
    'Lambda duration',
    MILLION * (webhookSeconds + writerSeconds) * ASSUME.memoryGb * PRICES.lambdaGbSecond.usd,
    `webhook ${(webhookSeconds * 1000).toFixed(0)} ms + writer ${(writerSeconds * 1000).toFixed(0)} ms at 512 MB, arm64`,
  ],
  [
    'Lambda requests',
    MILLION * invocations * PRICES.lambdaRequest.usd,
    `${invocations} invocations a ticket`,
  ],
  [
    'DynamoDB reads and writes',
    MILLION *
      ((m.webhookWru + m.writerWru) * PRICES.dynamoWrite.usd +
        (m.webhookRru + m.writerRru) * PRICES.dynamoRead.usd),
    `${(m.webhookWru + m.writerWru).toFixed(1)} WRU + ${(m.webhookRru + m.writerRru).toFixed(1)} RRU a ticket`,
  ],
  [
    'DynamoDB storage and backups',
    storedGbMonths * (PRICES.dynamoStorage.usd + PRICES.dynamoBackup.usd),
    `${m.storedBytes.toFixed(0)} bytes a ticket for ${ASSUME.vaultMonths} months, with PITR`,
  ],
  ['KMS requests', MILLION * m.kmsCalls * PRICES.kmsRequest.usd, `${m.kmsCalls} calls a ticket, warm`],
  ['SQS FIFO', MILLION * sqsRequests * PRICES.sqsFifoRequest.usd, `${sqsRequests} requests a ticket`],
  ['API Gateway HTTP API', MILLION * PRICES.httpApiRequest.usd, '1 request a ticket'],
  [
    'CloudWatch Logs',
    logGb * (PRICES.logsIngestion.usd + ASSUME.logRetentionMonths * PRICES.logsStorage.usd),
    `${((logGb * GB) / MILLION).toFixed(0)} bytes a ticket, kept ${ASSUME.logRetentionMonths} months`,
  ],
  [
    'X-Ray',
    MILLION * invocations * ASSUME.xraySampled * PRICES.xrayTrace.usd,
    `${ASSUME.xraySampled * 100} % of invocations sampled`,
  ],
  ['Secrets Manager', 0, 'cached for 5 minutes: calls are per container, see fixed costs'],
];
let total = 0;
for (const [service, usd, note] of perMillion) {
  total += usd;
  report.add(`per million tickets: ${service}`, usd, '$', note);
}
report.add('per million tickets: total', total, '$');
const further =
  MILLION *
  (PRICES.lambdaGbSecond.usd * (webhookSeconds + writerSeconds) * ASSUME.memoryGb +
    invocations * PRICES.lambdaRequest.usd +
    (m.knownWru + m.writerWru) * PRICES.dynamoWrite.usd +
    (m.knownRru + m.writerRru) * PRICES.dynamoRead.usd +
    sqsRequests * PRICES.sqsFifoRequest.usd +
    PRICES.httpApiRequest.usd +
    (logGb / MILLION) * (PRICES.logsIngestion.usd + ASSUME.logRetentionMonths * PRICES.logsStorage.usd) +
    invocations * ASSUME.xraySampled * PRICES.xrayTrace.usd);
report.add(
  'per million further events of known tickets: total',
  further,
  '$',
  'known tokens, no new storage',
);

const fixed: [string, number, string][] = [
  [
    'KMS keys',
    ASSUME.kmsKeys * PRICES.kmsKeyMonth.usd,
    `${ASSUME.kmsKeys} keys; up to 3× after two rotations`,
  ],
  ['KMS requests by AWS services', ASSUME.serviceKmsRequests * PRICES.kmsRequest.usd, 'tables, queue, logs'],
  [
    'Secrets Manager',
    (ASSUME.tenants + 2) * PRICES.secretMonth.usd +
      ASSUME.warmContainers * (ASSUME.tenants + 2) * 12 * 24 * 30 * PRICES.secretsApiCall.usd,
    `${ASSUME.tenants} tenants' secrets + 2, refreshed every 5 minutes`,
  ],
  [
    'SQS idle polling',
    ASSUME.idleSqsRequests * PRICES.sqsFifoRequest.usd,
    'Lambda long-polling the FIFO queue',
  ],
  [
    'CloudWatch alarms and dashboard',
    ASSUME.alarms * PRICES.alarmMonth.usd + ASSUME.dashboards * PRICES.dashboardMonth.usd,
    `${ASSUME.alarms} alarms, ${ASSUME.dashboards} dashboard`,
  ],
];
let fixedTotal = 0;
for (const [item, usd, note] of fixed) {
  fixedTotal += usd;
  report.add(`per month, fixed: ${item}`, usd, '$', note);
}
report.add(
  'per month, fixed: total',
  fixedTotal,
  '$',
  'whatever the volume; Cognito staff logins not included',
);
report.inputs = { pricesChecked: CHECKED, prices: PRICES, assumptions: ASSUME, measured: m };
await report.save();

console.log(`\nList prices (USD), looked up ${CHECKED}, and their sources:`);
for (const { amount, per, source } of Object.values(PRICES))
  console.log(`  $${amount} per ${per}: ${source}`);
