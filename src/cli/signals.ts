/**
 * Foreground commands (`serve`, `register`, `tail`, `--watch`) run until Ctrl-C, SIGTERM or
 * SIGHUP: a closed terminal or a dropped ssh session stops them as cleanly as SIGTERM (leave the
 * network, kill --exec children), rather than Node's default of dying on the spot.
 */
import { stdoutWatch } from './stdout-closed.js';

/** Why a foreground command stops: a signal, its own end (`until`), or stdout taking no more output. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'done' | 'stdout-closed';

/**
 * Resolves with the signal's name on the first SIGINT, SIGTERM or SIGHUP, with `'done'` when `until`
 * settles first, or with `'stdout-closed'` once stdout can take no more output (its reader went
 * away: see stdout-closed.ts). Either way the handlers are removed, so a second Ctrl-C during a
 * slow stop kills the process as usual.
 */
export function waitForStop(until?: Promise<unknown>): Promise<StopReason> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    let stopped = false;
    const finish = (why: StopReason) => {
      if (stopped) return;
      stopped = true;
      for (const s of signals) process.removeListener(s, onSignal);
      resolve(why);
    };
    const onSignal = (signal: NodeJS.Signals) => finish(signal as StopReason);
    for (const s of signals) process.once(s, onSignal);
    until?.then(
      () => finish('done'),
      () => finish('done'),
    );
    void stdoutWatch.streamingUntilClosed().then(() => finish('stdout-closed'));
  });
}
