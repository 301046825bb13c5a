/**
 * stdin piped: every line runs as if typed, with no prompt, no echo and no escape codes; a failing
 * line does not stop the script (as in the REPL), and the exit code is that of the first failure.
 */
import { createInterface } from 'node:readline';
import type { Session } from './session.js';

/**
 * Run every line of `input`; resolves to the first non-zero exit code, or 0. Stops before the
 * next line once `until` settles (our component was shut down: no later line could run).
 */
export async function runScript(input: NodeJS.ReadableStream, session: Pick<Session, 'run'>, until?: Promise<unknown>): Promise<number> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  let first = 0;
  let stopped = false;
  void until?.then(() => {
    stopped = true;
    rl.close();
  });
  try {
    for await (const line of rl) {
      if (stopped) break;
      const result = await session.run(line);
      if (result.exit !== 0 && first === 0) first = result.exit;
      if (result.quit) break;
    }
  } finally {
    rl.close();
  }
  return first;
}
