import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../lib/auth/principal.ts';

const SUB = '3f2a9c1e-8b4d-4e6f-a1b2-c3d4e5f60789';

describe('principalFromClaims', () => {
  it('reads claims as the HTTP API JWT authorizer passes them (arrays flattened to "[a b c]")', () => {
    expect(
      principalFromClaims({
        sub: SUB,
        amr: '[pwd otp mfa]',
        'cognito:groups': '[ticket-proxy:ballerup:reidentifier other]',
        name: 'Sagsbehandler Test',
        exp: '1795000000',
      }),
    ).toEqual({
      subject: SUB,
      mfa: true,
      groups: ['ticket-proxy:ballerup:reidentifier', 'other'],
      name: 'Sagsbehandler Test',
    });
  });

  it('reads a flattened array with a single value', () => {
    expect(
      principalFromClaims({ sub: SUB, amr: '[mfa]', 'cognito:groups': '[ticket-proxy:egedal:dpo]' }),
    ).toEqual({
      subject: SUB,
      mfa: true,
      groups: ['ticket-proxy:egedal:dpo'],
    });
  });

  it('reads claims given as JSON array text', () => {
    expect(
      principalFromClaims({
        sub: SUB,
        amr: '["pwd","mfa"]',
        'cognito:groups': '["ticket-proxy:ballerup:admin", "ticket-proxy:egedal:admin"]',
      }),
    ).toEqual({
      subject: SUB,
      mfa: true,
      groups: ['ticket-proxy:ballerup:admin', 'ticket-proxy:egedal:admin'],
    });
  });

  it('reads claims as a JWT library returns them (real arrays), skipping values that are not strings', () => {
    expect(
      principalFromClaims({
        sub: SUB,
        amr: ['pwd', 'otp', 'mfa'],
        'cognito:groups': ['ticket-proxy:ballerup:reidentifier', 7, null, { group: 'x' }],
      }),
    ).toEqual({ subject: SUB, mfa: true, groups: ['ticket-proxy:ballerup:reidentifier'] });
  });

  it('reads a single value that is not in brackets as a one-element list', () => {
    expect(principalFromClaims({ sub: SUB, amr: 'mfa', groups: 'ticket-proxy:ballerup:dpo' })).toMatchObject({
      mfa: true,
      groups: ['ticket-proxy:ballerup:dpo'],
    });
  });

  it.each([
    ['no amr', undefined],
    ['a password only, flattened', '[pwd]'],
    ['a password and OTP, flattened', '[pwd otp]'],
    ['a password only, as an array', ['pwd']],
    ['an empty list', '[]'],
    ['a value that merely contains mfa', '[nomfa mfa2]'],
    ['mfa in another case', ['MFA']],
    ['a number', 1],
  ])('says no second factor for %s', (_, amr) => {
    expect(principalFromClaims({ sub: SUB, ...(amr !== undefined && { amr }) })?.mfa).toBe(false);
  });

  it('reads the groups claim too (Entra ID, Keycloak), after cognito:groups', () => {
    expect(
      principalFromClaims({
        sub: SUB,
        'cognito:groups': '[ticket-proxy:ballerup:dpo]',
        groups: ['ticket-proxy:egedal:admin'],
      })?.groups,
    ).toEqual(['ticket-proxy:ballerup:dpo', 'ticket-proxy:egedal:admin']);
    expect(principalFromClaims({ sub: SUB, groups: '[ticket-proxy:egedal:admin]' })?.groups).toEqual([
      'ticket-proxy:egedal:admin',
    ]);
  });

  it('gives no groups when there are none', () => {
    expect(principalFromClaims({ sub: SUB })).toEqual({ subject: SUB, mfa: false, groups: [] });
    expect(principalFromClaims({ sub: SUB, 'cognito:groups': '' })?.groups).toEqual([]);
  });

  it('takes the e-mail as the display name when there is no name, and no other kind of value', () => {
    expect(principalFromClaims({ sub: SUB, email: 'sagsbehandler@example.dk' })?.name).toBe(
      'sagsbehandler@example.dk',
    );
    expect(principalFromClaims({ sub: SUB, name: 'Navn', email: 'x@example.dk' })?.name).toBe('Navn');
    expect(principalFromClaims({ sub: SUB, name: 42 })).not.toHaveProperty('name');
  });

  it.each([
    ['no claims at all', undefined],
    ['no sub', { amr: '[mfa]' }],
    ['an empty sub', { sub: '' }],
    ['a blank sub', { sub: ' \t ' }],
    ['a sub with a newline', { sub: 'alice\nadmin' }],
    ['a sub with a NUL', { sub: 'alice\u0000' }],
    ['a sub with DEL', { sub: 'alice\u007f' }],
    ['a sub of 257 characters', { sub: 'a'.repeat(257) }],
    ['a numeric sub', { sub: 12345 }],
    ['a sub given as an array', { sub: [SUB] }],
  ])('gives no principal for %s', (_, claims) => {
    expect(principalFromClaims(claims as Record<string, unknown> | undefined)).toBeUndefined();
  });

  it('accepts a sub of exactly 256 characters', () => {
    expect(principalFromClaims({ sub: 'a'.repeat(256) })?.subject).toHaveLength(256);
  });
});
