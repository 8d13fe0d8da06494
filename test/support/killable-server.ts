import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPOSITORY_ROOT, untilListening } from './processes.ts';

const PAUSE_HOOK = fileURLToPath(new URL('./pause-hook.ts', import.meta.url));

export interface KillableServer {
  url: string;
  pid: number;
  output(): string;
  /** SIGKILL: no handler runs, nothing is flushed or closed; resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, the way `npm start` is stopped. */
  stop(): Promise<void>;
}

/**
 * `npm start`'s entry point (lib/local/main.ts) on a free port, like processes.ts startServer, but
 * killable with SIGKILL and optionally paused for good at a point of its work (`pause`, see
 * pause-hook.ts) once `marker` is written.
 */
export async function startKillableServer(
  env: NodeJS.ProcessEnv,
  pause?: { point: 'before-enqueue' | 'after-enqueue'; marker: string },
): Promise<KillableServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(pause ? ['--import', PAUSE_HOOK] : []), 'lib/local/main.ts'],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        ...env,
        ...(pause && { TICKET_PROXY_TEST_PAUSE: pause.point, TICKET_PROXY_TEST_PAUSE_MARKER: pause.marker }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { url, output } = await untilListening(child);
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    url,
    pid: child.pid ?? 0,
    output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
