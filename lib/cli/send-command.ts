import { readFile } from 'node:fs/promises';
import { dataDirFromEnv, localWebhookSecret } from '../runtime/embedded.ts';
import { signWebhook } from '../webhook/signature.ts';
import { postToLocalServer } from './post-local.ts';

const SAMPLE_TICKET = new URL('../local/sample-ticket.json', import.meta.url);

/** `ticket-proxy send [FILE] [--url URL]`: what a servicedesk does, signed with the local secret. */
export async function sendCommand(options: { file: string | undefined; url: string }): Promise<number> {
  const body = await readFile(options.file ?? SAMPLE_TICKET);
  let tenant: unknown;
  try {
    tenant = (JSON.parse(body.toString('utf8')) as { tenant?: unknown }).tenant;
  } catch {
    // The server will say what is wrong with it; the tenant is only needed for the URL.
  }
  if (typeof tenant !== 'string' || tenant === '') {
    console.error('ticket-proxy: the ticket has no "tenant", so it cannot be addressed');
    return 2;
  }
  const secret = await localWebhookSecret(dataDirFromEnv());
  return postToLocalServer(options.url, `/webhooks/generic/${encodeURIComponent(tenant)}`, body, {
    'x-ticket-proxy-signature': signWebhook(secret, body),
  });
}
