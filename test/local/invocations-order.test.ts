import { InvokeStore } from '@aws/lambda-invoke-store';
import { afterAll, expect, it, vi } from 'vitest';
import { ownInvocations } from '../../lib/local/invocations.ts';

// As on a machine without Lambda's variables; put back afterwards.
vi.stubEnv('AWS_LAMBDA_MAX_CONCURRENCY', undefined);
afterAll(() => vi.unstubAllEnvs());

it('refuses to run once an SDK request has set up the store for one invocation at a time', async () => {
  // What the AWS SDK's recursion-detection middleware does on its first request.
  await InvokeStore.getInstanceAsync();
  await expect(ownInvocations()).rejects.toThrow(/call ownInvocations first/);
});
