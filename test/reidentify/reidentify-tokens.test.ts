import { describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditLog, AuditRecord } from '../../lib/audit/audit-log.ts';
import { DependencyError, ErrorCode, TicketProxyError } from '../../lib/errors.ts';
import type { RevealedValue } from '../../lib/pseudonymize/pseudonymizer.ts';
import {
  isStatedPurpose,
  ReidentifyError,
  type ReidentifyRequest,
  reidentifyTokens,
  restoreTokens,
  tokensIn,
} from '../../lib/reidentify/reidentify-tokens.ts';

const CPR = 'CPR_AAAAAAAAAAAAAAAA';
const NAME = 'NAME_BBBBBBBBBBBBBBBB';
const EGEDAL_EMAIL = 'EMAIL_CCCCCCCCCCCCCCCC';
const UNREADABLE = 'PHONE_DDDDDDDDDDDDDDDD';
const SECRET = 'SECRET_EEEEEEEEEEEEEEEE';
const UNKNOWN = 'CPR_ZZZZZZZZZZZZZZZZ';

/** The vault as the use case sees it: values per tenant and token. */
const vault: Record<string, Record<string, RevealedValue>> = {
  ballerup: {
    [CPR]: { kind: 'CPR', value: '010190-1234' },
    [NAME]: { kind: 'NAME', value: 'Jens Hansen' },
  },
  egedal: { [EGEDAL_EMAIL]: { kind: 'EMAIL', value: 'mette@example.dk' } },
};

/** An in-memory audit log that can be told to fail, and remembers what the vault had revealed by then. */
class MemoryAuditLog implements Pick<AuditLog, 'append'> {
  readonly records: AuditRecord[] = [];
  fail = false;

  async append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.fail)
      throw new DependencyError(ErrorCode.AUDIT_UNAVAILABLE, 'audit log could not append a record');
    const seq = this.records.length + 1;
    const record = {
      ...entry,
      seq,
      id: `AUD-${seq}`,
      time: new Date().toISOString(),
      prevHash: '',
      hash: '',
    };
    this.records.push(record);
    return record;
  }
}

function setup() {
  const audit = new MemoryAuditLog();
  const reveal = vi.fn(async (tenant: string, token: string) => {
    if (token === UNREADABLE) throw new TicketProxyError(ErrorCode.VALUE_UNREADABLE, 'does not decrypt');
    return vault[tenant]?.[token];
  });
  const tenants = vi.fn(async () => Object.keys(vault));
  const call = (request: Partial<ReidentifyRequest>) =>
    reidentifyTokens(
      { actor: 'alice', source: 'cli', purpose: 'Borgeren ringede om sin sag', tokens: [], ...request },
      { reveal, audit, tenants },
    );
  return { audit, reveal, tenants, call };
}

describe('reidentifyTokens', () => {
  it('returns values with their tenant, after recording a granted request that names tokens only', async () => {
    const { audit, call } = setup();
    const { results, record } = await call({ tokens: [CPR, EGEDAL_EMAIL], issueKey: 'DEV-7' });
    expect(results).toEqual([
      { token: CPR, tenant: 'ballerup', kind: 'CPR', value: '010190-1234' },
      { token: EGEDAL_EMAIL, tenant: 'egedal', kind: 'EMAIL', value: 'mette@example.dk' },
    ]);
    expect(audit.records).toEqual([record]);
    expect(record).toMatchObject({
      actor: 'alice',
      source: 'cli',
      action: 'reidentify',
      tenant: 'ballerup,egedal',
      tokens: [CPR, EGEDAL_EMAIL],
      purpose: 'Borgeren ringede om sin sag',
      issueKey: 'DEV-7',
      outcome: 'granted',
    });
    expect(JSON.stringify(audit.records)).not.toMatch(/010190|mette@/);
  });

  it.each([
    [UNKNOWN, undefined, ReidentifyError.UNKNOWN_TOKEN, /unknown, or its retention has ended/],
    [SECRET, undefined, ReidentifyError.SECRET_TOKEN, /never stored/],
    [EGEDAL_EMAIL, 'ballerup', ReidentifyError.OTHER_TENANT, /another tenant than ballerup/],
    [UNKNOWN, 'ballerup', ReidentifyError.UNKNOWN_TOKEN, /unknown in tenant ballerup/],
    [UNREADABLE, 'ballerup', ReidentifyError.VALUE_UNREADABLE, /does not decrypt/],
  ])('refuses %s (tenant %s) with %s, and records the denial', async (token, tenant, code, message) => {
    const { audit, call } = setup();
    const { results, record } = await call({ tokens: [token], ...(tenant && { tenants: [tenant] }) });
    expect(results).toEqual([{ token, error: { code, message: expect.stringMatching(message) } }]);
    expect(record).toMatchObject({ outcome: 'denied', reason: code, tokens: [token], tenant: tenant ?? '' });
    expect(audit.records).toHaveLength(1);
  });

  it('never looks a SECRET token up', async () => {
    const { reveal, call } = setup();
    await call({ tokens: [SECRET] });
    expect(reveal).not.toHaveBeenCalled();
  });

  it('keeps a string that is not a token out of the record and out of the message', async () => {
    const { audit, reveal, call } = setup();
    const { results } = await call({ tokens: ['0101901234', CPR] });
    expect(results[0]).toEqual({
      token: '0101901234',
      error: { code: ReidentifyError.NOT_A_TOKEN, message: expect.not.stringContaining('0101901234') },
    });
    expect(reveal).not.toHaveBeenCalledWith(expect.anything(), '0101901234');
    expect(JSON.stringify(audit.records)).not.toContain('0101901234');
    expect(audit.records[0]).toMatchObject({ outcome: 'granted', tokens: [CPR] });
  });

  it('grants a request that got some values, naming the tokens withheld', async () => {
    const { call } = setup();
    const { results, record } = await call({ tokens: [CPR, UNKNOWN, SECRET, CPR], tenants: ['ballerup'] });
    expect(results.map((r) => ('value' in r ? r.value : r.error.code))).toEqual([
      '010190-1234',
      ReidentifyError.UNKNOWN_TOKEN,
      ReidentifyError.SECRET_TOKEN,
    ]);
    expect(record).toMatchObject({
      outcome: 'granted',
      tenant: 'ballerup',
      tokens: [CPR, UNKNOWN, SECRET],
      withheld: [UNKNOWN, SECRET],
    });
    expect(record.reason).toBeUndefined();
  });

  it('names the reason NO_VALUE when tokens failed for different reasons', async () => {
    const { call } = setup();
    const { record } = await call({ tokens: [UNKNOWN, SECRET] });
    expect(record).toMatchObject({ outcome: 'denied', reason: 'NO_VALUE' });
  });

  it('asks for the tenants only when it has to', async () => {
    const { tenants, call } = setup();
    await call({ tokens: [CPR], tenants: ['ballerup'] });
    expect(tenants).not.toHaveBeenCalled();
    await call({ tokens: [CPR, NAME] });
    expect(tenants).toHaveBeenCalledTimes(1);
  });

  it('tells another tenant\u2019s token by `has` when given, without decrypting it', async () => {
    const { audit, reveal } = setup();
    const has = vi.fn(async (tenant: string, token: string) => vault[tenant]?.[token] !== undefined);
    const { results } = await reidentifyTokens(
      {
        actor: 'alice',
        source: 'cli',
        purpose: 'Borgeren ringede om sin sag',
        tokens: [EGEDAL_EMAIL],
        tenants: ['ballerup'],
      },
      { reveal, audit, tenants: async () => Object.keys(vault), has },
    );
    expect(results[0]).toMatchObject({ error: { code: ReidentifyError.OTHER_TENANT } });
    expect(reveal).not.toHaveBeenCalledWith('egedal', EGEDAL_EMAIL);
    expect(has).toHaveBeenCalledWith('egedal', EGEDAL_EMAIL);
  });

  it.each([undefined, '', '   ', 'fejl', 'fejlsøgning', 'se sag', '- - - - - - -'])(
    'refuses the purpose %j: records the denial and looks nothing up',
    async (purpose) => {
      const { audit, reveal, call } = setup();
      const { results, record } = await call({
        tokens: [CPR, 'not a token'],
        purpose,
        tenants: ['ballerup'],
      });
      expect(results.map((r) => ('error' in r ? r.error.code : r.value))).toEqual([
        ReidentifyError.PURPOSE_MISSING,
        ReidentifyError.PURPOSE_MISSING,
      ]);
      expect(record).toMatchObject({ outcome: 'denied', reason: 'PURPOSE_MISSING', tokens: [CPR] });
      expect(audit.records).toHaveLength(1);
      expect(reveal).not.toHaveBeenCalled();
    },
  );

  it.each(['Borger ringede', 'Support case SD-12345', 'Sagsbehandler beder om CPR til opslag i Nexus'])(
    'accepts the purpose %j',
    (purpose) => expect(isStatedPurpose(purpose)).toBe(true),
  );

  it('returns no value when the audit log cannot record the request', async () => {
    const { audit, call } = setup();
    audit.fail = true;
    await expect(call({ tokens: [CPR] })).rejects.toMatchObject({ code: ErrorCode.AUDIT_UNAVAILABLE });
  });

  it('records a request the vault could not answer, and passes the vault\u2019s error on', async () => {
    const { audit } = setup();
    const down = new DependencyError(ErrorCode.VAULT_UNAVAILABLE, 'vault could not read a token');
    const request = { actor: 'alice', source: 'cli', purpose: 'Borgeren ringede om sin sag', tokens: [CPR] };
    const deps = { reveal: () => Promise.reject(down), audit, tenants: async () => ['ballerup'] };
    await expect(reidentifyTokens(request, deps)).rejects.toBe(down);
    expect(audit.records).toMatchObject([{ outcome: 'denied', reason: 'VAULT_UNAVAILABLE', tokens: [CPR] }]);
  });
});

describe('tokensIn and restoreTokens', () => {
  const text = `Borger ${CPR} (${NAME}) skrev; ${CPR} igen. Ikke et token: CPR_abc, XCPR_AAAAAAAAAAAAAAAAX.`;

  it('finds each token once, in order of first appearance', () => {
    expect(tokensIn(text)).toEqual([CPR, NAME]);
    expect(tokensIn('ingen tokens her')).toEqual([]);
  });

  it('puts values where their tokens were, leaves other tokens, and takes values literally', () => {
    const values = new Map([[CPR, '010190-1234 $& $1']]);
    expect(restoreTokens(text, values)).toBe(
      `Borger 010190-1234 $& $1 (${NAME}) skrev; 010190-1234 $& $1 igen. Ikke et token: CPR_abc, XCPR_AAAAAAAAAAAAAAAAX.`,
    );
    expect(restoreTokens(text, new Map())).toBe(text);
  });
});
