import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { DEFAULT_RETENTION, Retention } from '../../lib/retention/retention-policy.ts';

const now = new Date('2026-11-22T12:00:00Z');
const days = (n: number) => n * 24 * 60 * 60 * 1000;

describe('Retention', () => {
  const retention = Retention.fromJson(
    JSON.stringify({
      default: { afterCloseDays: 90, maxAgeDays: 365 },
      tenants: { egedal: { afterCloseDays: 30 } },
    }),
    'TEST',
  );

  it('keeps a closed ticket for afterCloseDays after it closed', () => {
    const expiry = retention.expiryOf({ tenant: 'ballerup', closedAt: '2026-11-01T00:00:00Z' }, now);
    expect(expiry.toISOString()).toBe('2027-01-30T00:00:00.000Z');
  });

  it('keeps an open ticket for maxAgeDays after it was created, or first seen', () => {
    expect(
      retention.expiryOf({ tenant: 'ballerup', created: '2026-01-01T00:00:00Z' }, now).toISOString(),
    ).toBe('2027-01-01T00:00:00.000Z');
    expect(retention.expiryOf({ tenant: 'ballerup' }, now).getTime()).toBe(now.getTime() + days(365));
    // A creation date in the future is not believed.
    expect(retention.expiryOf({ tenant: 'ballerup', created: '2030-01-01T00:00:00Z' }, now).getTime()).toBe(
      now.getTime() + days(365),
    );
  });

  it('applies a tenant’s overrides field by field over the default', () => {
    expect(retention.policyFor('egedal')).toEqual({ afterCloseDays: 30, maxAgeDays: 365 });
    expect(retention.policyFor('ballerup')).toEqual(DEFAULT_RETENTION);
  });

  it('defaults to 90 days after close and 365 days open', () => {
    expect(Retention.fromJson(undefined, 'TEST').policyFor('x')).toEqual({
      afterCloseDays: 90,
      maxAgeDays: 365,
    });
  });

  it.each([
    ['not JSON', '{', /TEST is not valid JSON/],
    ['an unknown field', '{"default":{"afterCloseDays":1,"maxAgeDays":1,"forever":true}}', /forever/],
    ['zero days', '{"tenants":{"x":{"afterCloseDays":0}}}', /tenants\.x\.afterCloseDays/],
    ['a bad tenant name', '{"tenants":{"Ballerup Kommune":{}}}', /tenants/],
  ])('refuses %s with a clear error', (_case, json, message) => {
    expect(() => Retention.fromJson(json, 'TEST')).toThrow(ConfigError);
    expect(() => Retention.fromJson(json, 'TEST')).toThrow(message);
  });
});
