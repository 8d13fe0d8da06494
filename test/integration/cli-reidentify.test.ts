import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditTable, auditKeys } from '../../lib/audit/audit-table.ts';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const PURPOSE = '"Borgeren ringede om sin sag SD-1"';
const CPR = '010190-1234';
const EMAIL = 'jens.hansen@example.dk';

let env: NodeJS.ProcessEnv;
let cprToken: string;
let emailToken: string;
const cli = (args: string) => run(`npx --no-install ticket-proxy ${args}`, { env });
const auditRecords = async () =>
  (await cli('audit list --json')).stdout
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  env = { TICKET_PROXY_DATA_DIR: await tempDir() };
  const ticket = {
    tenant: 'ballerup',
    id: 'SD-1',
    summary: `Borger ${CPR} ringer`,
    description: `Skriv til ${EMAIL}`,
  };
  const sanitized = await run('npx --no-install ticket-proxy sanitize', {
    input: JSON.stringify(ticket),
    env,
  });
  expect(sanitized.code).toBe(0);
  cprToken = /CPR_[A-Z2-7]{16}/.exec(sanitized.stdout)?.[0] ?? '';
  emailToken = /EMAIL_[A-Z2-7]{16}/.exec(sanitized.stdout)?.[0] ?? '';
  expect(cprToken).not.toBe('');
  expect(emailToken).not.toBe('');
});

describe('npx ticket-proxy reidentify and audit (CONTRACTS.md §3)', () => {
  it('prints TOKEN<TAB>VALUE per token, and records the request', async () => {
    const result = await cli(`reidentify --actor alice --purpose ${PURPOSE} ${cprToken} ${emailToken}`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${cprToken}\t${CPR}\n${emailToken}\t${EMAIL}\n`);
  });

  it('prints a clear error per token without a value, the others still, and exits 1', async () => {
    const unknown = 'CPR_AAAAAAAAAAAAAAAA';
    const result = await cli(
      `reidentify --actor alice --purpose ${PURPOSE} ${unknown} SECRET_AAAAAAAAAAAAAAAA 0101901234 ${cprToken}`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${cprToken}\t${CPR}\n`);
    expect(result.stderr).toContain(`${unknown}: UNKNOWN_TOKEN`);
    expect(result.stderr).toContain('SECRET_AAAAAAAAAAAAAAAA: SECRET_TOKEN');
    expect(result.stderr).toContain('argument 3: NOT_A_TOKEN');
    expect(result.stderr).not.toContain('0101901234');
  });

  it('refuses a token of another tenant than the one named', async () => {
    const result = await cli(`reidentify --actor alice --tenant egedal --purpose ${PURPOSE} ${cprToken}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${cprToken}: OTHER_TENANT`);
  });

  it('refuses without a purpose (exit 2) and records the refusal; refuses without an actor', async () => {
    const missing = await cli(`reidentify --actor bob ${cprToken}`);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/a purpose is required/);
    const short = await cli(`reidentify --actor bob --purpose fejl ${cprToken}`);
    expect(short.code).toBe(2);
    const records = await auditRecords();
    expect(records.slice(-2)).toMatchObject([
      { actor: 'bob', outcome: 'denied', reason: 'PURPOSE_MISSING', tokens: [cprToken], purpose: null },
      { actor: 'bob', outcome: 'denied', reason: 'PURPOSE_MISSING', tokens: [cprToken], purpose: 'fejl' },
    ]);
    const noActor = await cli(`reidentify --purpose ${PURPOSE} ${cprToken}`);
    expect(noActor.code).toBe(2);
    expect(noActor.stderr).toMatch(/--actor USER is required/);
    expect(await auditRecords()).toHaveLength(records.length);
  });

  it('lists the records oldest first, as JSON lines or a table, with tokens and never values', async () => {
    const records = await auditRecords();
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records[0]).toMatchObject({
      id: 'AUD-000000000001',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      actor: 'alice',
      source: 'cli',
      action: 'reidentify',
      tenant: 'ballerup',
      tokens: [cprToken, emailToken],
      purpose: 'Borgeren ringede om sin sag SD-1',
      outcome: 'granted',
    });
    expect(records[1]).toMatchObject({
      outcome: 'granted',
      withheld: expect.arrayContaining(['CPR_AAAAAAAAAAAAAAAA']),
    });
    const table = await cli('audit list');
    expect(table.code).toBe(0);
    const [header, first] = table.stdout.split('\n');
    expect(header).toMatch(
      /^ID\s+TIME\s+ACTOR\s+SOURCE\s+ACTION\s+TENANT\s+OUTCOME\s+REASON\s+TOKENS\s+PURPOSE$/,
    );
    expect(first?.indexOf('alice')).toBe(header?.indexOf('ACTOR'));
    for (const output of [JSON.stringify(records), table.stdout]) {
      expect(output).not.toMatch(/010190|0101901234|jens\.hansen/);
    }
    expect((await cli('audit list --json --actor bob')).stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('lets processes re-identify at once: every call recorded, the chain intact', async () => {
    const before = (await auditRecords()).length;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        cli(`reidentify --actor user-${i} --purpose ${PURPOSE} ${cprToken}`),
      ),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const verify = await cli('audit verify');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`^intact, ${before + 5} records`));
  });

  it('audit verify exits 1 naming the first record changed in the database', async () => {
    const dynamo = await openEmbeddedDynamo({ dataDir: env.TICKET_PROXY_DATA_DIR });
    try {
      const { pk, sk } = auditKeys.record(2);
      await dynamo.client.send(
        new UpdateItemCommand({
          TableName: AuditTable.defaultName,
          Key: { pk: { S: pk }, sk: { S: sk } },
          UpdateExpression: 'SET purpose = :p',
          ExpressionAttributeValues: { ':p': { S: 'a better-sounding reason' } },
        }),
      );
    } finally {
      await dynamo.close();
    }
    const verify = await cli('audit verify');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^broken at AUD-000000000002 \(seq 2\): ALTERED/);
    expect(verify.stderr).toContain('AUD-000000000002');
  });
});
