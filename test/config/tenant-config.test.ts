import { describe, expect, it } from 'vitest';
import { defaultTenantConfig, Tenants } from '../../lib/config/tenant-config.ts';
import { retentionConfigSchema } from '../../lib/retention/retention-policy.ts';

const ARN = 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:ticket-proxy/x-AbCdEf';

describe('Tenants', () => {
  it('reads a full configuration with defaults filled in', () => {
    const tenants = Tenants.fromJson(
      JSON.stringify({
        ballerup: {
          servicedesk: { type: 'zendesk' },
          webhookSecret: { secretArn: ARN },
          jira: { projectKey: 'BAL', retentionDateField: 'customfield_10050' },
          ticketUrl: 'https://ballerup.zendesk.com/agent/tickets/{id}',
          retention: { afterCloseDays: 30 },
          writeBack: {
            type: 'signed-webhook',
            url: 'https://sd.example.dk/hook',
            secret: { secretArn: ARN },
          },
        },
        egedal: {},
      }),
      'tenants.json',
    );
    expect(tenants.names()).toEqual(['ballerup', 'egedal']);
    expect(tenants.configFor('ballerup')?.jira).toEqual({
      projectKey: 'BAL',
      retentionDateField: 'customfield_10050',
      includeInternalComments: false,
    });
    expect(tenants.configFor('egedal')).toEqual(defaultTenantConfig());
    expect(tenants.configFor('furesoe')).toBeUndefined();
  });

  it('answers for unnamed tenants with the fallback, and never for invalid names', () => {
    const tenants = new Tenants({}, defaultTenantConfig());
    expect(tenants.configFor('furesoe')?.servicedesk).toEqual({ type: 'generic' });
    expect(tenants.configFor('../x')).toBeUndefined();
    expect(tenants.configFor('__proto__')).toBeUndefined();
  });

  it('lays tenant retention overrides over the base policy', () => {
    const tenants = Tenants.fromJson('{"ballerup":{"retention":{"afterCloseDays":30}}}', 'x');
    const base = retentionConfigSchema.parse({ tenants: { ballerup: { maxAgeDays: 200 } } });
    expect(tenants.retention(base).tenants.ballerup).toEqual({ maxAgeDays: 200, afterCloseDays: 30 });
  });

  it.each([
    ['not JSON', '{', /tenants.json is not valid JSON/],
    ['a bad tenant name', '{"Ballerup":{}}', /tenant names are 1-64 characters/],
    [
      'a misspelt setting',
      '{"ballerup":{"jira":{"projectkey":"BAL"}}}',
      /ballerup\.jira: Unrecognized key: "projectkey"/,
    ],
    [
      'a bad project key',
      '{"ballerup":{"jira":{"projectKey":"bal"}}}',
      /ballerup\.jira\.projectKey: must be a Jira project key/,
    ],
    [
      'a secret written in',
      '{"ballerup":{"webhookSecret":"hunter2hunter2hunter2"}}',
      /ballerup\.webhookSecret/,
    ],
    [
      'a ticket URL without {id}',
      '{"ballerup":{"ticketUrl":"https://sd.example.dk/t"}}',
      /ballerup\.ticketUrl: must contain \{id\}/,
    ],
    [
      'an unknown servicedesk',
      '{"ballerup":{"servicedesk":{"type":"topdesk"}}}',
      /ballerup\.servicedesk\.type/,
    ],
    [
      'a plain-http write-back',
      '{"ballerup":{"writeBack":{"type":"local","url":"x"}}}',
      /ballerup\.writeBack/,
    ],
  ])('refuses %s with an error naming the setting', (_, json, message) => {
    expect(() => Tenants.fromJson(json, 'tenants.json')).toThrow(message);
  });
});
