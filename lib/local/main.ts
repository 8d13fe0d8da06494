#!/usr/bin/env node
// `npm start`: the proxy on its embedded default, with the same handler code Lambda runs.
import { readFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createJobHandler } from '../../functions/jira-writer.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { createStaffApiHandler } from '../../functions/staff-api.ts';
import { DevIssuer } from '../auth/dev-issuer.ts';
import { DEV_CLIENT_ID, DevLoginFlow } from '../auth/dev-login.ts';
import { ConsoleSite } from '../console/console-site.ts';
import { TicketProxyError } from '../errors.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';
import { signWebhook } from '../webhook/signature.ts';
import { ownInvocations } from './invocations.ts';
import { startLocalServer } from './server.ts';

const SAMPLE_TICKET_PATH = new URL('./sample-ticket.json', import.meta.url);

async function main(): Promise<void> {
  // Requests and jobs overlap here: each keeps its own log keys. Before the runtime's first SDK call.
  const own = await ownInvocations();
  const runtime = await openEmbeddedRuntime(process.env, { role: 'serve' });
  const port = Number(process.env.PORT ?? 8787);
  const logger = new Logger({ serviceName: 'ticket-proxy-local' });
  const issuer = await DevIssuer.open(runtime.dataDir);
  const site = await ConsoleSite.load({
    mode: 'local',
    authorizeUrl: '/dev-login/authorize',
    tokenUrl: '/dev-login/token',
    clientId: DEV_CLIENT_ID,
  });
  const { server, url } = await startLocalServer({
    servicedeskHandler: own(createServicedeskWebhookHandler(() => runtime, logger)),
    jiraHandler: own(createJiraWebhookHandler(() => runtime, logger)),
    outbox: runtime.outbox,
    replies: runtime.localReplies,
    queue: runtime.queue,
    staffHandler: own(createStaffApiHandler(() => runtime, logger, 'api')),
    issuer,
    console: { site, login: new DevLoginFlow(issuer, runtime.access) },
    port,
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  // The in-process Jira writer: jobs a crash left half-done go first.
  await runtime.queue.recover();
  runtime.queue.start(own(createJobHandler(() => runtime, logger)));

  const sample = await readFile(SAMPLE_TICKET_PATH);
  const { tenant } = JSON.parse(sample.toString('utf8')) as { tenant: string };
  const samplePath = 'lib/local/sample-ticket.json';
  console.log(`ticket-proxy is listening on ${url} (data in ${runtime.dataDir})`);
  console.log(
    runtime.outbox
      ? `Sanitized tickets go to the local outbox: ${url}/outbox`
      : 'Sanitized tickets go to Jira (JIRA_BASE_URL).',
  );
  const sendFlags = port === 8787 ? '' : ` --url ${url}`;
  console.log(`\nSend the bundled sample ticket, signed with the local webhook secret:`);
  console.log(`  npx ticket-proxy send${sendFlags}\n`);
  console.log(
    `or with curl (this signature is valid for 5 minutes; run from the repository root):\n` +
      `  curl -i -X POST ${url}/webhooks/generic/${tenant} -H 'content-type: application/json' ` +
      `-H 'X-Ticket-Proxy-Signature: ${signWebhook(runtime.webhookSecret, sample)}' --data-binary @${samplePath}\n`,
  );

  console.log(
    `A developer's reply travels back the same way: after the ticket reaches the outbox, run\n` +
      `  npx ticket-proxy reply OUTBOX-1 "Tak, vi kigger på det"\n` +
      `and see it at ${url}/replies as the servicedesk would, with tokens turned back into values.\n`,
  );

  console.log(
    `Re-identify a token as a named, authorized person (every attempt is audited):\n` +
      `  npx ticket-proxy grants add --actor you --user alice --tenant ${tenant} --role reidentifier\n` +
      `  curl -s -X POST ${url}/reidentify -H "authorization: Bearer $(npx ticket-proxy login --user alice)" ` +
      `-H 'content-type: application/json' -d '{"tokens":["CPR_…"],"purpose":"Borgeren ringede om sin sag"}'\n`,
  );
  console.log(
    `or in the staff console, ${url}/console (Danish; English in the menu): log in as alice with the\n` +
      `one-time code from  npx ticket-proxy login --user alice --code\n`,
  );

  const stop = () => {
    server.close();
    server.closeAllConnections();
    runtime.queue
      .stop()
      .then(() => runtime.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`ticket-proxy could not start: ${error instanceof TicketProxyError ? error.message : error}`);
  process.exit(1);
});
