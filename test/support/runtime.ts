import { Logger } from '@aws-lambda-powertools/logger';
import { defaultTenantConfig, type TenantConfig, Tenants } from '../../lib/config/tenant-config.ts';
import { type EmbeddedRuntime, openEmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';

export const TEST_WEBHOOK_SECRET = 'local-test-secret-0123456789';
export const silent = () => new Logger({ logLevel: 'SILENT' });

/**
 * The embedded runtime in `dir`, as `npm start` wires it (dynalite on disk, key file, file queue,
 * outbox or Jira), with exactly the tenants given: no fallback for others.
 */
export async function testRuntime(
  dir: string,
  tenants: Record<string, Partial<TenantConfig>> = { ballerup: {} },
  env: NodeJS.ProcessEnv = {},
): Promise<EmbeddedRuntime> {
  const runtime = await openEmbeddedRuntime({
    TICKET_PROXY_DATA_DIR: dir,
    TICKET_PROXY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...env,
  });
  const configs = Object.fromEntries(
    Object.entries(tenants).map(([name, config]) => [name, { ...defaultTenantConfig(), ...config }]),
  );
  return Object.assign(runtime, { tenants: new Tenants(configs) });
}

/** Takes every job waiting in the runtime's queue, in order. */
export async function takeJobs(runtime: EmbeddedRuntime): Promise<SyncJob[]> {
  const jobs: SyncJob[] = [];
  await runtime.queue.drain(async (job) => {
    jobs.push(job);
  });
  return jobs;
}
