import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetentionSweepHandler } from '../../functions/retention-sweep.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import { embeddedPseudonymizer, ticketRef } from '../support/embedded.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let embedded: Awaited<ReturnType<typeof embeddedPseudonymizer>>;

beforeAll(async () => {
  embedded = await embeddedPseudonymizer(await tempDir());
});
afterAll(() => embedded.dynamo.close());

describe('retention sweep handler', () => {
  it('sweeps the vault it is given and returns the report', async () => {
    await embedded.pseudonymizer.tokenize({ ...ticketRef('SD-9'), expiresAt: new Date(Date.now() - 1000) }, [
      { kind: 'CPR', value: '0707077777' },
    ]);
    const handler = createRetentionSweepHandler(
      () => ({ vault: embedded.vault, audit: new DynamoAuditLog(embedded.dynamo.client) }),
      new Logger({ logLevel: 'SILENT' }),
    );
    expect((await handler()).tenants).toEqual({ ballerup: { tickets: 1, tokens: 1 } });
  });
});
