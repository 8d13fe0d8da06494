import { describe, expect, it } from 'vitest';
import {
  adapterConfigSchema,
  configuredServicedesk,
  servicedeskAdapters,
} from '../../lib/servicedesk/adapters.ts';
import type { WebhookRequest } from '../../lib/servicedesk/servicedesk-adapter.ts';
import { signHubSignature } from '../../lib/webhook/hub-signature.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { signZendeskWebhook } from '../../lib/webhook/zendesk-signature.ts';
import { type SamplePayload, samplePayloads, topdeskMapping } from '../support/payloads.ts';

const secret = 'tenant-webhook-secret-0123456789';
const now = Date.parse('2026-09-03T08:01:09Z') / 1000;
const request = (body: Uint8Array, headers: Record<string, string>): WebhookRequest => ({
  tenant: 'ballerup',
  headers,
  body,
  nowSeconds: now,
});

describe('servicedesk adapter registry', () => {
  it('keys each adapter by the name its route uses', () => {
    for (const [name, adapter] of Object.entries(servicedeskAdapters)) expect(adapter.name).toBe(name);
  });

  it.each([
    [{ type: 'generic' }],
    [{ type: 'jsm' }],
    [{ type: 'jsm', includeCustomFields: { customfield_10010: 'kommune' } }],
    [{ type: 'zendesk' }],
    [{ type: 'mapped', ...(topdeskMapping as object) }],
  ])('accepts the configuration %j', (config) => {
    expect(adapterConfigSchema.parse(config)).toMatchObject(config);
  });

  it.each([
    ['an unknown servicedesk', { type: 'servicenow' }, ['type']],
    ['an option another servicedesk takes', { type: 'zendesk', includeCustomFields: {} }, []],
    [
      'a mapping with a bad expression',
      { type: 'mapped', mapping: { id: 'id', summary: 'a[', description: 'b' } },
      ['mapping', 'summary'],
    ],
    ['a mapped servicedesk without a mapping', { type: 'mapped' }, ['mapping']],
  ])('refuses %s, with the path of the problem', (_case, config, path) => {
    const result = adapterConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('configured servicedesks: the sample payloads end to end', () => {
  const cases: [string, unknown, SamplePayload, Record<string, string>, string][] = [
    [
      'jsm',
      { type: 'jsm' },
      samplePayloads.jsmIssueCreated,
      { 'x-hub-signature': signHubSignature(secret, samplePayloads.jsmIssueCreated.body) },
      'SD-4711',
    ],
    [
      'jsm',
      { type: 'jsm' },
      samplePayloads.jsmCommentCreated,
      { 'x-ticket-proxy-secret': secret },
      'SD-4711',
    ],
    [
      'zendesk',
      { type: 'zendesk' },
      samplePayloads.zendeskTicket,
      zendeskHeaders(samplePayloads.zendeskTicket.body),
      '35436',
    ],
    [
      'mapped',
      { type: 'mapped', ...(topdeskMapping as object) },
      samplePayloads.topdeskIncident,
      { 'x-ticket-proxy-secret': secret },
      '8f3c2a10-5d4e-4b7a-9c61-2e0f7a9b1c35',
    ],
  ];

  it.each(cases)('%s: verifies and reads %#', (name, raw, sample, headers, id) => {
    const servicedesk = configuredServicedesk(adapterConfigSchema.parse(raw));
    const signed = request(sample.body, headers);
    expect(servicedesk.name).toBe(name);
    expect(servicedesk.verify(signed, [secret])).toEqual({ valid: true });
    expect(servicedesk.toTicket(signed).ticket.id).toBe(id);
    expect(servicedesk.verify(request(sample.body, {}), [secret]).valid).toBe(false);
  });

  it('verifies a generic ticket by its signature', () => {
    const body = Buffer.from(
      JSON.stringify({ tenant: 'ballerup', id: 'SD-1', summary: 's', description: '' }),
    );
    const servicedesk = configuredServicedesk({ type: 'generic' });
    const signed = request(body, { 'x-ticket-proxy-signature': signWebhook(secret, body, now) });
    expect(servicedesk.verify(signed, [secret])).toEqual({ valid: true });
    expect(servicedesk.toTicket(signed).ticket.id).toBe('SD-1');
  });

  it('holds a mapped servicedesk to the auth its configuration sets', () => {
    const servicedesk = configuredServicedesk(
      adapterConfigSchema.parse({ type: 'mapped', ...(topdeskMapping as object), auth: 'signature' }),
    );
    const body = samplePayloads.topdeskIncident.body;
    expect(servicedesk.verify(request(body, { 'x-ticket-proxy-secret': secret }), [secret]).valid).toBe(
      false,
    );
    expect(
      servicedesk.verify(request(body, { 'x-ticket-proxy-signature': signWebhook(secret, body, now) }), [
        secret,
      ]),
    ).toEqual({
      valid: true,
    });
  });
});

function zendeskHeaders(body: Uint8Array): Record<string, string> {
  const { signature, timestamp } = signZendeskWebhook(secret, body, new Date(now * 1000).toISOString());
  return { 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp };
}
