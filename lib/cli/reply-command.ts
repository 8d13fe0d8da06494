import { randomInt } from 'node:crypto';
import { dataDirFromEnv, localWebhookSecret } from '../runtime/embedded.ts';
import { signHubSignature } from '../webhook/hub-signature.ts';
import { postToLocalServer } from './post-local.ts';

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
  return postToLocalServer(options.url, '/webhooks/jira', body, {
    'x-hub-signature': signHubSignature(secret, body),
  });
}
