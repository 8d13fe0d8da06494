import { randomInt } from 'node:crypto';
import { dataDirFromEnv, localWebhookSecret } from '../runtime/embedded.ts';
import { signHubSignature } from '../webhook/hub-signature.ts';

/**
 * `ticket-proxy reply ISSUE-KEY TEXT`: what Jira does when a developer comments, signed as Jira signs
 * its webhooks, sent to the local server.
 */
export async function replyCommand(options: {
  issueKey: string;
  text: string;
  url: string;
}): Promise<number> {
  const payload = {
    timestamp: Date.now(),
    webhookEvent: 'comment_created',
    issue: { key: options.issueKey },
    comment: {
      id: String(randomInt(1, 2 ** 47)),
      author: { accountId: 'local-developer', displayName: 'Lokal udvikler' },
      body: options.text,
    },
  };
  const body = Buffer.from(JSON.stringify(payload));
  const secret = process.env.JIRA_WEBHOOK_SECRET || (await localWebhookSecret(dataDirFromEnv()));
  let response: Response;
  try {
    response = await fetch(`${options.url.replace(/\/$/, '')}/webhooks/jira`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': signHubSignature(secret, body) },
      body,
    });
  } catch {
    console.error(`ticket-proxy: nothing answers at ${options.url}; is \`npm start\` running?`);
    return 1;
  }
  console.log(`${response.status} ${response.statusText}`);
  console.log(await response.text());
  return response.ok ? 0 : 1;
}
