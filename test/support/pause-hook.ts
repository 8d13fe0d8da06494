// Loaded with `node --import` into a server a test means to kill: stops it for good at one point of
// its work, after writing a marker file, so the test can SIGKILL it exactly there. Nothing else of
// the process changes. Env:
//   TICKET_PROXY_TEST_PAUSE         `before-enqueue`: the sanitized job is written aside but not yet
//                                   renamed into queue/pending/ (the webhook has not answered);
//                                   `after-enqueue`: it is in queue/pending/, the webhook has not answered.
//   TICKET_PROXY_TEST_PAUSE_MARKER  the file written when the point is reached.
import { writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { sep } from 'node:path';

const point = process.env.TICKET_PROXY_TEST_PAUSE;
const marker = process.env.TICKET_PROXY_TEST_PAUSE_MARKER;

if ((point === 'before-enqueue' || point === 'after-enqueue') && marker) {
  const rename = fsp.rename;
  let armed = true;
  const pending = `${sep}queue${sep}pending${sep}`;
  fsp.rename = (async (from: Parameters<typeof rename>[0], to: Parameters<typeof rename>[1]) => {
    // The queue writes a job aside (`….json.<pid>.tmp`) and renames it into pending/: the enqueue.
    if (armed && String(to).includes(pending) && String(from).endsWith('.tmp')) {
      armed = false;
      if (point === 'after-enqueue') await rename(from, to);
      writeFileSync(marker, point);
      return new Promise<void>(() => undefined);
    }
    return rename(from, to);
  }) as typeof rename;
  syncBuiltinESMExports();
}
