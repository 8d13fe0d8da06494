import { readFile } from 'node:fs/promises';
import { dataDirFromEnv, localWebhookSecret } from '../runtime/embedded.ts';
import { signWebhook } from '../webhook/signature.ts';

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
  const target = `${options.url.replace(/\/$/, '')}/webhooks/generic/${encodeURIComponent(tenant)}`;
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ticket-proxy-signature': signWebhook(secret, body) },
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
