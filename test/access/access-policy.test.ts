import { describe, expect, it } from 'vitest';
import {
  type AccessPolicy,
  defaultAccessPolicy,
  outsideWorkingHours,
  parseAccessPolicy,
} from '../../lib/access/access-policy.ts';
import { ConfigError, ErrorCode } from '../../lib/errors.ts';

const SOURCE = 'ACCESS_POLICY';

const refusal = (json: string): ConfigError => {
  try {
    parseAccessPolicy(json, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${json} to be refused`);
};

const policyWith = (workingHours: Partial<AccessPolicy['workingHours']>): AccessPolicy => {
  const policy = defaultAccessPolicy();
  return { ...policy, workingHours: { ...policy.workingHours, ...workingHours } };
};

describe('parseAccessPolicy', () => {
  it('defaults to 5 refusals in 15 minutes, 50 tokens an hour, 7-18 on weekdays in Copenhagen', () => {
    expect(defaultAccessPolicy()).toEqual({
      maxDenials: 5,
      denialWindowMinutes: 15,
      maxTokensPerHour: 50,
      workingHours: { from: 7, to: 18, timeZone: 'Europe/Copenhagen', weekdaysOnly: true },
    });
  });

  it.each([undefined, '', '   \n'])('gives the defaults for an absent setting (%j)', (json) => {
    expect(parseAccessPolicy(json, SOURCE)).toEqual(defaultAccessPolicy());
  });

  it('takes each field given and defaults the rest', () => {
    const policy = parseAccessPolicy(
      '{"maxDenials":3,"workingHours":{"from":8,"to":16,"timeZone":"Europe/London"}}',
      SOURCE,
    );
    expect(policy).toEqual({
      maxDenials: 3,
      denialWindowMinutes: 15,
      maxTokensPerHour: 50,
      workingHours: { from: 8, to: 16, timeZone: 'Europe/London', weekdaysOnly: true },
    });
  });

  it.each([
    ['{"maxDenials":0}', 'maxDenials'],
    ['{"maxDenials":2.5}', 'maxDenials'],
    ['{"maxDenials":"5"}', 'maxDenials'],
    ['{"denialWindowMinutes":1441}', 'denialWindowMinutes'],
    ['{"maxTokensPerHour":0}', 'maxTokensPerHour'],
    ['{"workingHours":{"from":-1,"to":18,"timeZone":"Europe/Copenhagen"}}', 'workingHours.from'],
    ['{"workingHours":{"from":7,"to":25,"timeZone":"Europe/Copenhagen"}}', 'workingHours.to'],
    ['{"workingHours":{"from":7,"to":18}}', 'workingHours.timeZone'],
    [
      '{"workingHours":{"from":7,"to":18,"timeZone":"Europe/Copenhagen","weekdaysOnly":"yes"}}',
      'workingHours.weekdaysOnly',
    ],
  ])('refuses %s with a ConfigError naming %s', (json, path) => {
    const error = refusal(json);
    expect(error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(error.message).toMatch(
      new RegExp(`^${SOURCE} is not an access policy: ${path.replace('.', '\\.')}: `),
    );
  });

  it('refuses a time zone that is not an IANA zone, saying what one looks like', () => {
    const error = refusal('{"workingHours":{"from":7,"to":18,"timeZone":"Europe/Ballerup"}}');
    expect(error.message).toContain(
      'workingHours.timeZone: must be an IANA time zone such as Europe/Copenhagen',
    );
  });

  it.each([
    [18, 18],
    [18, 7],
  ])('refuses working hours from %i to %i (from must be before to)', (from, to) => {
    const error = refusal(`{"workingHours":{"from":${from},"to":${to},"timeZone":"Europe/Copenhagen"}}`);
    expect(error.message).toContain('workingHours: from must be before to');
  });

  it('refuses a field it does not know, so a misspelt setting is not silently ignored', () => {
    expect(refusal('{"maxDenial":3}').message).toContain('maxDenial');
    expect(refusal('{"workingHours":{"from":7,"to":18,"timeZone":"UTC","tz":"UTC"}}').message).toContain(
      'tz',
    );
  });

  it('refuses text that is not JSON, without echoing it', () => {
    const error = refusal('{maxDenials: 3');
    expect(error.message).toBe(`${SOURCE} is not valid JSON`);
  });
});

describe('outsideWorkingHours (Europe/Copenhagen, 7-18)', () => {
  const policy = defaultAccessPolicy();

  // Copenhagen is UTC+2 in summer (CEST) and UTC+1 in winter (CET): the same UTC time is a different
  // local hour, so each case below would fail if the hour were taken in UTC or with a fixed offset.
  it.each([
    ['summer, 06:59 local', '2026-07-01T04:59:00Z', true],
    ['summer, 07:00 local', '2026-07-01T05:00:00Z', false],
    ['summer, 17:59 local', '2026-07-01T15:59:00Z', false],
    ['summer, 18:00 local', '2026-07-01T16:00:00Z', true],
    ['winter, 06:59 local', '2026-01-14T05:59:00Z', true],
    ['winter, 07:00 local', '2026-01-14T06:00:00Z', false],
    ['winter, 17:59 local', '2026-01-14T16:59:00Z', false],
    ['winter, 18:00 local', '2026-01-14T17:00:00Z', true],
  ])('on a Wednesday in %s (%s) is outside: %s', (_, at, outside) => {
    expect(outsideWorkingHours(policy, new Date(at))).toBe(outside);
  });

  it('follows the clock change in late March (CET to CEST)', () => {
    const everyDay = policyWith({ weekdaysOnly: false });
    // Saturday 28 March 2026 is still CET (UTC+1); Sunday 29 March from 01:00 UTC is CEST (UTC+2).
    expect(outsideWorkingHours(everyDay, new Date('2026-03-28T05:30:00Z'))).toBe(true); // 06:30 CET
    expect(outsideWorkingHours(everyDay, new Date('2026-03-28T06:00:00Z'))).toBe(false); // 07:00 CET
    expect(outsideWorkingHours(everyDay, new Date('2026-03-29T05:00:00Z'))).toBe(false); // 07:00 CEST
    expect(outsideWorkingHours(everyDay, new Date('2026-03-29T04:59:00Z'))).toBe(true); // 06:59 CEST
    expect(outsideWorkingHours(everyDay, new Date('2026-03-29T16:00:00Z'))).toBe(true); // 18:00 CEST
  });

  it('follows the clock change in late October (CEST to CET)', () => {
    const everyDay = policyWith({ weekdaysOnly: false });
    // Sunday 25 October 2026 falls back at 01:00 UTC.
    expect(outsideWorkingHours(everyDay, new Date('2026-10-24T16:30:00Z'))).toBe(true); // 18:30 CEST
    expect(outsideWorkingHours(everyDay, new Date('2026-10-25T16:30:00Z'))).toBe(false); // 17:30 CET
    expect(outsideWorkingHours(everyDay, new Date('2026-10-25T06:00:00Z'))).toBe(false); // 07:00 CET
    expect(outsideWorkingHours(everyDay, new Date('2026-10-25T05:59:00Z'))).toBe(true); // 06:59 CET
  });

  it('treats a Saturday or Sunday as outside when weekdaysOnly, even within the hours', () => {
    expect(outsideWorkingHours(policy, new Date('2026-07-04T10:00:00Z'))).toBe(true); // Saturday 12:00
    expect(outsideWorkingHours(policy, new Date('2026-07-05T10:00:00Z'))).toBe(true); // Sunday 12:00
    expect(outsideWorkingHours(policy, new Date('2026-07-06T10:00:00Z'))).toBe(false); // Monday 12:00
  });

  it('treats weekends like weekdays when weekdaysOnly is false', () => {
    const everyDay = policyWith({ weekdaysOnly: false });
    expect(outsideWorkingHours(everyDay, new Date('2026-07-04T10:00:00Z'))).toBe(false); // Saturday 12:00
    expect(outsideWorkingHours(everyDay, new Date('2026-07-05T04:00:00Z'))).toBe(true); // Sunday 06:00
  });

  it('takes the weekday in the policy’s time zone, not in UTC', () => {
    const allDay = policyWith({ from: 0, to: 24 });
    // Friday 23:59 in Copenhagen is inside; one minute later it is Saturday there, still Friday in UTC.
    expect(outsideWorkingHours(allDay, new Date('2026-01-16T22:59:00Z'))).toBe(false);
    expect(outsideWorkingHours(allDay, new Date('2026-01-16T23:00:00Z'))).toBe(true);
    // Sunday 23:30 UTC is Monday 00:30 in Copenhagen.
    expect(outsideWorkingHours(allDay, new Date('2026-01-18T23:30:00Z'))).toBe(false);
  });

  it('reads midnight as hour 0, not 24', () => {
    const firstHour = policyWith({ from: 0, to: 1, weekdaysOnly: false });
    expect(outsideWorkingHours(firstHour, new Date('2026-01-14T23:00:00Z'))).toBe(false); // 00:00 CET
    expect(outsideWorkingHours(firstHour, new Date('2026-01-14T23:59:59Z'))).toBe(false); // 00:59 CET
    expect(outsideWorkingHours(firstHour, new Date('2026-01-15T00:00:00Z'))).toBe(true); // 01:00 CET
  });

  it('uses the time zone it is given', () => {
    const newYork = policyWith({ timeZone: 'America/New_York' });
    // Each of these is on the other side of the working hours in Copenhagen (12:30, 18:30, 23:30).
    expect(outsideWorkingHours(newYork, new Date('2026-01-14T11:30:00Z'))).toBe(true); // 06:30 EST
    expect(outsideWorkingHours(newYork, new Date('2026-01-14T17:30:00Z'))).toBe(false); // 12:30 EST
    expect(outsideWorkingHours(newYork, new Date('2026-01-14T22:30:00Z'))).toBe(false); // 17:30 EST
  });
});
