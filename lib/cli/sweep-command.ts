import { sweepExpired } from '../retention/sweep.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';

/** `ticket-proxy sweep`: enforce retention on the embedded vault now, and print what was removed. */
export async function sweepCommand(options: { now: Date }): Promise<number> {
  const runtime = await openEmbeddedRuntime();
  try {
    const report = await sweepExpired(runtime.vault, runtime.audit, options.now);
    console.log(JSON.stringify(report));
    return 0;
  } finally {
    await runtime.close();
  }
}
