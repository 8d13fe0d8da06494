import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccessStore } from '../../lib/access/dynamo-access-store.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import { DevIssuer } from '../../lib/auth/dev-issuer.ts';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const CPR = '010190-1234';
const PURPOSE = '"Borgeren ringede om sin sag SD-1"';
const LOOKUP = '"Borgeren har bedt om indsigt i hvem der har set data"';

let env: NodeJS.ProcessEnv;
let cprToken: string;
const cli = (args: string) => run(`npx --no-install ticket-proxy ${args}`, { env });

beforeAll(async () => {
  env = { TICKET_PROXY_DATA_DIR: await tempDir() };
  const sanitized = await run('npx --no-install ticket-proxy sanitize', {
    input: JSON.stringify({ tenant: 'ballerup', id: 'SD-1', summary: `Borger ${CPR}`, description: '' }),
    env,
  });
  cprToken = /CPR_[A-Z2-7]{16}/.exec(sanitized.stdout)?.[0] ?? '';
  expect(cprToken).not.toBe('');
});

describe('npx ticket-proxy grants, login and the DPO reports', () => {
  it('adds grants with the operator as actor, lists them, and records each change', async () => {
    const added = await cli('grants add --actor root --user alice --tenant ballerup --role reidentifier');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^done, runs until \d{4}-\d\d-\d\dT.*\(recorded as AUD-\d+\)\n$/);
    expect((await cli('grants add --actor root --user dora --tenant ballerup --role dpo')).code).toBe(0);
    const listed = await cli('grants list');
    expect(listed.stdout).toMatch(/alice\s+ballerup\s+reidentifier\s+active/);
    const records = (await cli('audit list --json')).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.action, r.actor])).toEqual([
      ['grant.add', 'root'],
      ['grant.add', 'root'],
    ]);
  });

  it('refuses changes without an actor, or with a bad role, naming what is wrong (exit 2)', async () => {
    expect(await cli('grants add --user alice --tenant ballerup --role reidentifier')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--actor YOU is required'),
    });
    expect(await cli('grants add --actor root --user alice --tenant ballerup --role root')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('role must be one of reidentifier, dpo, admin'),
    });
  });

  it("mints a login from the development issuer with the user's grants as groups", async () => {
    const out = await cli('login --user alice --ttl 600');
    expect(out.code).toBe(0);
    const jwt = out.stdout.trim();
    const claims = await (await DevIssuer.open(env.TICKET_PROXY_DATA_DIR as string)).verify(jwt);
    expect(claims).toMatchObject({
      sub: 'alice',
      groups: ['ticket-proxy:ballerup:reidentifier'],
      amr: ['pwd', 'otp', 'mfa'],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(decodeJwt((await cli('login --user alice --no-mfa')).stdout.trim()).amr).toEqual(['pwd']);
  });

  it('answers who has seen a CPR number, recording the lookup with the token only', async () => {
    expect((await cli(`reidentify --actor alice --purpose ${PURPOSE} ${cprToken}`)).code).toBe(0);
    const seen = await cli(`audit seen --actor dora --purpose ${LOOKUP} --cpr 0101901234 --csv`);
    expect(seen.code).toBe(0);
    const lines = seen.stdout.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(`^AUD-\\d+,[^,]+,alice,cli,reidentify,ballerup,granted,,yes,${cprToken},`),
    );
    const last = JSON.parse(
      (await cli('audit list --json --actor dora')).stdout.trimEnd().split('\n').pop() as string,
    );
    expect(last).toMatchObject({ action: 'dpo.lookup', tokens: [cprToken], outcome: 'granted' });
    expect(JSON.stringify(last)).not.toContain('0101901234');
    expect(await cli('audit seen --actor dora --cpr 0101901234')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('PURPOSE_MISSING'),
    });
  });

  it('prints what a user did, and the access review as CSV', async () => {
    const activity = await cli('audit activity alice');
    expect(activity.stdout).toMatch(/reidentify\s+ballerup\s+granted/);
    const review = await cli('audit review --csv');
    expect(review.stdout.split('\r\n')[0]).toBe(
      '\uFEFFuser,tenant,role,status,grantedAt,grantedBy,attestedAt,attestedBy,expiresAt,lastUsedAt,unused90Days,attestationDue',
    );
    expect(review.stdout).toMatch(/\r\nalice,ballerup,reidentifier,active,/);
  });

  it("grants the first administrator of a deployed stack, on the stack's tables (here dynalite through the SDK's endpoint)", async () => {
    const dynamo = await openEmbeddedDynamo();
    try {
      const aws = {
        TICKET_PROXY_ACCESS_TABLE: 'ticket-proxy-access',
        TICKET_PROXY_AUDIT_TABLE: 'ticket-proxy-audit',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: 'eu-north-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      };
      const added = await run(
        'npx --no-install ticket-proxy grants add --actor ops --user ada --tenant ballerup --role admin',
        {
          env: { ...env, ...aws },
        },
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      expect(await new DynamoAccessStore(dynamo.client).getGrant('ada', 'ballerup', 'admin')).toMatchObject({
        grantedBy: 'ops',
      });
      const records = [];
      for await (const r of new DynamoAuditLog(dynamo.client).list()) records.push(r);
      expect(records).toEqual([
        expect.objectContaining({ action: 'grant.add', actor: 'ops', subject: 'ada' }),
      ]);
      // The DPO's commands read the deployed audit log the same way.
      const listed = await run('npx --no-install ticket-proxy audit list --json', {
        env: { ...env, ...aws },
      });
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({
        id: records[0]?.id,
        action: 'grant.add',
        actor: 'ops',
      });
      const verified = await run('npx --no-install ticket-proxy audit verify', { env: { ...env, ...aws } });
      expect(verified).toMatchObject({ code: 0 });
      const half = await run('npx --no-install ticket-proxy grants list', {
        env: { ...env, TICKET_PROXY_ACCESS_TABLE: 'x' },
      });
      expect(half).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('set both TICKET_PROXY_ACCESS_TABLE and TICKET_PROXY_AUDIT_TABLE'),
      });
    } finally {
      await dynamo.close();
    }
  });
});
