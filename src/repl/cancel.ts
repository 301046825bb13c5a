/**
 * Ctrl-C in the REPL cancels the wait, not the process. The library's calls take a timeout, not
 * an AbortSignal, so cancelling stops waiting for the answer; the call itself then ends on its
 * own timeout and its result is dropped.
 */

/** The wait was cancelled by the user. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** `work`, or a Cancelled rejection as soon as `signal` aborts, whichever comes first. */
export function cancellable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new Cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      // The abandoned call may still fail later; nobody is listening any more.
      work.catch(() => {});
      reject(new Cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
