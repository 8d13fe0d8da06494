import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './template-queries.ts';

const template = synthesize();
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (a) => a.Properties as Record<string, unknown>,
);

describe('operations: alarms and the dashboard', () => {
  it('sends every alarm to the operator topic, in and out of alarm', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(12);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, String(alarm.AlarmDescription)).toHaveLength(1);
      expect(alarm.OKActions, String(alarm.AlarmDescription)).toEqual(alarm.AlarmActions);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('alarms on each failure the operator must see', () => {
    const described = alarms.map((a) => String(a.AlarmDescription));
    for (const what of [
      /webhooks were answered 5xx/,
      /dead-letter|gave up/i,
      /Jira webhook function failed/,
      /retention sweep failed/,
      /could not start the retention sweep/,
      /staff API function failed/,
      /audit table was changed/,
      /tokens per hour|more tokens/i,
    ]) {
      expect(
        described.some((d) => what.test(d)),
        String(what),
      ).toBe(true);
    }
  });

  it('has one dashboard with every alarm, the APIs, the queue, the functions and re-identification', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    expect(dashboard?.Properties.DashboardName).toBe('ticket-proxy');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Alarms',
      'Servicedesk webhooks',
      'Sync queue',
      'Staff API',
      'Re-identification',
      'Function errors',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('TokensReidentified');
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardBody: Match.anyValue() });
  });
});
