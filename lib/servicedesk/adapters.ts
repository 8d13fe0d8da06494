import { z } from 'zod';
import type { SignatureCheck } from '../webhook/signature.ts';
import { genericAdapter } from './generic.ts';
import { jsmAdapter, jsmConfigSchema } from './jsm.ts';
import { mappedAdapter, mappedConfigSchema, verifyMappedRequest } from './mapped.ts';
import type { InboundTicket, ServicedeskAdapter, WebhookRequest } from './servicedesk-adapter.ts';
import { zendeskAdapter } from './zendesk.ts';

/** Every servicedesk adapter, by the name its webhook route uses: `/webhooks/{name}/{tenant}`. */
export const servicedeskAdapters = {
  generic: genericAdapter,
  jsm: jsmAdapter,
  zendesk: zendeskAdapter,
  mapped: mappedAdapter,
} as const satisfies Record<string, ServicedeskAdapter<never>>;

export type ServicedeskName = keyof typeof servicedeskAdapters;

/**
 * A tenant's servicedesk, as tenant configuration embeds it: `type` names the adapter, the other
 * properties are that adapter's configuration. Strict, like the tickets: a misspelt option is an
 * error, not a default.
 *
 * @example
 * adapterConfigSchema.parse({ type: 'jsm', includeCustomFields: { customfield_10010: 'kommune' } });
 * adapterConfigSchema.parse({ type: 'mapped', mapping: { id: 'id', summary: 'briefDescription', description: 'request' } });
 */
export const adapterConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('generic') }),
  jsmConfigSchema.extend({ type: z.literal('jsm') }),
  z.strictObject({ type: z.literal('zendesk') }),
  mappedConfigSchema.extend({ type: z.literal('mapped') }),
]);

/** A parsed servicedesk configuration (defaults filled in). */
export type AdapterConfig = z.output<typeof adapterConfigSchema>;
/** A servicedesk configuration as written. */
export type AdapterConfigInput = z.input<typeof adapterConfigSchema>;

/** An adapter with its tenant's configuration bound: what a webhook handler needs, and nothing to get wrong. */
export interface ConfiguredServicedesk {
  readonly name: ServicedeskName;
  verify(request: WebhookRequest, secrets: readonly string[]): SignatureCheck;
  /** @throws InvalidTicketError naming what is wrong, never quoting a value. */
  toTicket(request: WebhookRequest): InboundTicket;
}

/**
 * The adapter a configuration names, with the configuration bound. Unlike the bare adapter, a
 * mapped servicedesk's `verify` here accepts only the `auth` its configuration sets.
 */
export function configuredServicedesk(config: AdapterConfig): ConfiguredServicedesk {
  switch (config.type) {
    case 'generic':
      return {
        name: 'generic',
        verify: genericAdapter.verify,
        toTicket: (r) => genericAdapter.toTicket(r, undefined),
      };
    case 'jsm':
      return { name: 'jsm', verify: jsmAdapter.verify, toTicket: (r) => jsmAdapter.toTicket(r, config) };
    case 'zendesk':
      return {
        name: 'zendesk',
        verify: zendeskAdapter.verify,
        toTicket: (r) => zendeskAdapter.toTicket(r, undefined),
      };
    case 'mapped':
      return {
        name: 'mapped',
        verify: (request, secrets) => verifyMappedRequest(request, secrets, config.auth),
        toTicket: (r) => mappedAdapter.toTicket(r, config),
      };
  }
}
