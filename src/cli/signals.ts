/** Foreground commands (`serve`, `register`, `tail`, `--watch`) run until Ctrl-C or SIGTERM. */

/**
 * Resolves with the signal's name on the first SIGINT or SIGTERM, or with `'done'` when `until`
 * settles first. Either way the handlers are removed, so a second Ctrl-C during a slow stop
 * kills the process as usual.
 */
export function waitForStop(until?: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const finish = (why: string) => {
      for (const s of signals) process.removeListener(s, onSignal);
      resolve(why);
    };
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    for (const s of signals) process.once(s, onSignal);
    until?.then(
      () => finish('done'),
      () => finish('done'),
    );
  });
}
