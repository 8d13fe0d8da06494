import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { run } from '../support/processes.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const put = (value: string) =>
  new PutItemCommand({ TableName: 'ticket-proxy-vault', Item: { pk: { S: value }, sk: { S: 'x' } } });

describe('embedded DynamoDB', () => {
  it('serves a data directory on a socket inside it, and creates the vault, audit and access tables', async () => {
    const dataDir = await tempDir();
    const dynamo = await openEmbeddedDynamo({ dataDir });
    try {
      expect(dynamo.endpoint).toBe(`unix:${join(dataDir, 'dynamodb.sock')}`);
      expect((await stat(join(dataDir, 'dynamodb'))).mode & 0o777).toBe(0o700);
      expect((await dynamo.client.send(new ListTablesCommand({}))).TableNames).toEqual([
        'ticket-proxy-access',
        'ticket-proxy-audit',
        'ticket-proxy-vault',
      ]);
    } finally {
      await dynamo.close();
    }
  });

  it('puts the socket of a deep data directory in a private directory of its own', async () => {
    const dataDir = join(await tempDir(), 'a'.repeat(60), 'b'.repeat(40));
    const dynamo = await openEmbeddedDynamo({ dataDir });
    try {
      const socketDir = join(dynamo.endpoint.slice('unix:'.length), '..');
      expect((await stat(socketDir)).mode & 0o777).toBe(0o700);
      await dynamo.client.send(put('deep'));
    } finally {
      await dynamo.close();
    }
  });

  it('shares one database between processes, and keeps it across restarts', async () => {
    const dataDir = await tempDir();
    const owner = await openEmbeddedDynamo({ dataDir });
    const guest = await openEmbeddedDynamo({ dataDir });
    await guest.client.send(put('from-guest'));
    await guest.close();
    await owner.close();
    const again = await openEmbeddedDynamo({ dataDir });
    expect(await storedText(again.client)).toContain('from-guest');
    await again.close();
  });

  it('lets a sharing process take over when the serving one stops', async () => {
    const dataDir = await tempDir();
    const owner = await openEmbeddedDynamo({ dataDir });
    const guest = await openEmbeddedDynamo({ dataDir });
    await owner.client.send(put('before'));
    await owner.close();
    await guest.client.send(put('after'));
    expect(await storedText(guest.client)).toMatch(/before[\s\S]*after|after[\s\S]*before/);
    await guest.close();
  });

  it('makes a server wait for the holder rather than depend on it', async () => {
    const dataDir = await tempDir();
    const holder = await openEmbeddedDynamo({ dataDir });
    const server = openEmbeddedDynamo({ dataDir, role: 'serve' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await holder.close();
    await (await server).close();
  });

  it('refuses a second server on the same data directory with a clear error', async () => {
    const dataDir = await tempDir();
    const first = await openEmbeddedDynamo({ dataDir, role: 'serve' });
    try {
      await expect(openEmbeddedDynamo({ dataDir, role: 'serve', serveWaitMs: 500 })).rejects.toMatchObject({
        code: ErrorCode.DATA_DIR_IN_USE,
        message: expect.stringMatching(/another process holds the database/),
      });
    } finally {
      await first.close();
    }
  });

  it('survives several CLI runs starting at once on a fresh data directory', async () => {
    const env = { TICKET_PROXY_DATA_DIR: await tempDir() };
    const input = JSON.stringify({
      tenant: 'ballerup',
      id: 'SD-1',
      summary: 'Borger 010190-1234',
      description: '',
    });
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => run('npx --no-install ticket-proxy sanitize', { input, env })),
    );
    expect(runs.map((r) => [r.code, r.stderr])).toEqual(Array(6).fill([0, '']));
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
  });
});
